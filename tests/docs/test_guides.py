"""The lab guides (docs/guide.md and its translation docs/guide.ko.md) work as written.

Conventions of the guides' command blocks, enforced here:

- A fenced block whose info string starts with `console` is a command block and must say where it runs:
  `console local` (the local endpoint) or `console aws` (a real AWS account). Output samples are `text`, `json`
  or `yaml` blocks and are not run.
- In a command block, every non-empty line that does not start with `#` is one command (no continuation lines).
  A trailing comment is only a comment, except `# runs until Ctrl+C`, which marks a command that runs until it is
  interrupted, in a terminal of its own: the test starts it in the background, in a process group of its own, and
  gives it RUN_FOR seconds from its first output (at most OUTPUT_WAIT seconds are spent waiting for that, since
  starting Python takes long on a busy machine) and then its Ctrl+C, SIGINT to its group, which counts as success
  (ending by itself before that, even with status 0, is a failure). The next command without the mark waits for
  those Ctrl+Cs first; so the producer, the consumer and `simulate stats` of the guide run side by side, as the
  guide tells the reader to run them.

How each guide runs: as two bash sessions with `set -e`, each from the root of its own copy of the repository (so
that nothing a guide creates, build/ or inventory/aws.yml, lands in the checkout, and sessions cannot meet). The
four sessions of the two guides run at the same time.

- `local` blocks, in document order, with a private WILDRYDES_STATE_DIR and no AWS credentials, config or
  profile: the guide starts and stops the local endpoint itself and gets its generated keys from it
  (`simulate local env`). The guide's ports, 4566 (endpoint) and 8080 (dashboard), are replaced by free ones in its
  commands and in the copy's inventories, so that an endpoint or dashboard a developer is running does not get in
  the way.
- `aws` blocks, in document order, against a local endpoint with IAM enforcement that the test starts
  (AWS_ENDPOINT_URL), with an AWS config and credentials file in tmp that define the profiles named in
  inventory/aws.example.yml, each in its own simulated account of that endpoint. attendee-01, who also produces
  and consumes, signs with its account's generated admin key; the other attendees, whom only the instructor's
  blocks provision, sign with the key of an IAM user allowed exactly the guide's instructor policy, so the
  endpoint's IAM checks (with the resource types AWS authorises each action on) judge that policy as AWS would.
  The AWS calls the playbooks' modules make there are recorded, and each must be allowed by that policy.
"""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.config
import botocore.exceptions
import pytest
import yaml

from tests.conftest import Endpoint, free_port, running_endpoint

REPO = Path(__file__).resolve().parents[2]
GUIDES = {"en": REPO / "docs" / "guide.md", "ko": REPO / "docs" / "guide.ko.md"}
BIN = Path(sys.executable).parent
CTRL_C = "# runs until Ctrl+C"
RUN_FOR = 6  # seconds a `# runs until Ctrl+C` command runs, from its first output, before its Ctrl+C
OUTPUT_WAIT = 60  # seconds at most that its Ctrl+C waits for that first output
KILL_AFTER = 20  # seconds after its Ctrl+C that a command still running is killed
SESSION_TIMEOUT = 1200  # seconds for one session: a safety net against a hung command, generous for busy machines
GUIDE_PORTS = {"endpoint": 4566, "dashboard": 8080}
FENCE = re.compile(r"^(?P<indent>\s*)```(?P<info>.*)$")
# What the copy of the repository leaves out: history, installs, generated files, what the guides do not use.
NOT_COPIED = (".git", ".venv", "node_modules", "dist", "build", "dashboard", "tests", "benchmarks", "*.egg-info")
NOT_COPIED += (".pytest_cache", ".ruff_cache", "__pycache__", ".state")

# Installed into every Python process of the aws session (PYTHONPATH): records each AWS call that an Ansible module
# makes, with the access key that signed it (none for unsigned calls such as a guest's sign-in).
TRACER = """\
import os
import sys


def _trace_aws_calls():
    import botocore.client

    make_api_call = botocore.client.BaseClient._make_api_call

    def traced(self, operation_name, api_params):
        if "ansible.module_utils.basic" in sys.modules:
            credentials = getattr(self._request_signer, "_credentials", None)
            key = getattr(credentials, "access_key", "") or "-"
            with open(os.environ["WILDRYDES_GUIDE_TRACE"], "a") as trace:
                trace.write(f"{self.meta.service_model.signing_name}:{operation_name} {key}\\n")
        return make_api_call(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = traced


try:
    _trace_aws_calls()
except ImportError:
    pass
"""


@dataclass(frozen=True)
class Command:
    text: str  # without its trailing comment
    until_ctrl_c: bool


@dataclass(frozen=True)
class Block:
    where: str  # local or aws
    line: int
    commands: tuple[Command, ...]


def fenced_blocks(text: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line number, info string, dedented lines) of every fenced block."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, start, body = len(opening["indent"]), index + 1, []
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index][indent:] if lines[index][:indent].strip() == "" else lines[index])
            index += 1
        assert index < len(lines), f"line {start}: the block never closes"
        index += 1
        yield start, opening["info"].strip(), body


def command_blocks(guide: Path) -> list[Block]:
    blocks = []
    for line, info, body in fenced_blocks(guide.read_text(encoding="utf-8")):
        words = info.split()
        if not words or words[0] != "console":
            continue
        assert words[1:] in (["local"], ["aws"]), f"{guide.name}:{line}: mark command blocks `console local` or aws"
        commands = []
        for raw in body:
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            assert not stripped.endswith("\\"), f"{guide.name}:{line}: one command per line, no continuation"
            text = re.sub(r"\s+#.*$", "", stripped)
            commands.append(Command(text=text, until_ctrl_c=stripped.endswith(CTRL_C)))
        assert commands, f"{guide.name}:{line}: a command block without commands"
        blocks.append(Block(where=words[1], line=line, commands=tuple(commands)))
    return blocks


def instructor_policy(guide: Path) -> dict:
    """The JSON policy of the instructor section: the one that lets its identity create roles."""
    found = []
    for _, info, body in fenced_blocks(guide.read_text(encoding="utf-8")):
        if info == "json" and "iam:CreateRole" in "\n".join(body):
            found.append(json.loads("\n".join(body)))
    assert len(found) == 1, f"{guide.name}: expected one policy allowing iam:CreateRole, found {len(found)}"
    return found[0]


def allowed_actions(policy: dict) -> set[str]:
    actions = set()
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions


# -- running a session -----------------------------------------------------------------------------------------


def session_script(commands: list[Command], workdir: Path, outputs: Path) -> str:
    """One bash session. Each command is echoed, then run. A `# runs until Ctrl+C` command starts in the background,
    as if in a terminal of its own, and gets its Ctrl+C after RUN_FOR seconds; the next command that is not one
    waits for that (so a producer and a consumer run side by side, and a teardown never races a producer). The
    output of each background command is appended to the transcript once it stopped."""
    lines = [
        "set -e",
        f"cd {shlex.quote(str(workdir))}",
        f"outputs={shlex.quote(str(outputs))}",
        'mkdir -p "$outputs"',
        "pids=() started=()",
        # On a failure, what still runs in the background gets its Ctrl+C now.
        'trap \'for pid in "${pids[@]}"; do kill -INT -- "-$pid" 2>/dev/null || true; done; wait\' EXIT',
        # The Ctrl+C of process group $1, RUN_FOR seconds after file $2 has output; $2.ctrl-c records that it came.
        "ctrl_c_later() {",
        f'  local waited=0; while [ ! -s "$2" ] && kill -0 "$1" 2>/dev/null && [ $waited -lt {OUTPUT_WAIT * 5} ]; do',
        "    sleep 0.2; waited=$((waited + 1))",
        "  done",
        f"  sleep {RUN_FOR}",
        '  kill -0 "$1" 2>/dev/null || return 0',
        '  touch "$2.ctrl-c"; kill -INT -- "-$1" 2>/dev/null || return 0',
        f'  waited=0; while kill -0 "$1" 2>/dev/null && [ $waited -lt {KILL_AFTER * 5} ]; do',
        "    sleep 0.2; waited=$((waited + 1))",
        "  done",
        '  kill -KILL -- "-$1" 2>/dev/null || true',
        "}",
        "until_ctrl_c() {",
        '  local out="$outputs/${#pids[@]}-$RANDOM.log"',
        '  setsid bash -c "$1" >"$out" 2>&1 </dev/null &',
        '  pids+=("$!") started+=("$1|$out")',
        '  ctrl_c_later "$!" "$out" &',
        "}",
        "ctrl_c_all() {",
        "  local i out",
        '  for i in "${!pids[@]}"; do',
        '    wait "${pids[$i]}" || true',
        '    out="${started[$i]##*|}"',
        '    echo "--- ${started[$i]%|*} (its terminal) ---"; cat "$out"; echo "--- (Ctrl+C) ---"',
        '    if [ ! -e "$out.ctrl-c" ]; then',
        '      echo "guide test: \\`${started[$i]%|*}\\` ended by itself before its Ctrl+C" >&2',
        "      return 1",
        "    fi",
        "  done",
        "  wait",  # the Ctrl+C senders
        "  pids=() started=()",
        "}",
    ]
    for command in commands:
        if not command.until_ctrl_c:
            lines.append("ctrl_c_all")
        lines.append(f'echo "[${{SECONDS}} s] "{shlex.quote("$ " + command.text)}')
        lines.append(f"until_ctrl_c {shlex.quote(command.text)}" if command.until_ctrl_c else command.text)
    lines.append("ctrl_c_all")
    return "\n".join(lines) + "\n"


def with_ports(command: str, endpoint_port: int | None, dashboard_port: int) -> str:
    """The guide's command, on the test's ports instead of 4566 and 8080."""
    if endpoint_port is not None:
        command = command.replace(f"127.0.0.1:{GUIDE_PORTS['endpoint']}", f"127.0.0.1:{endpoint_port}")
        if re.match(r"^simulate local start\b", command) and "--port" not in command:
            command = command.replace("simulate local start", f"simulate local start --port {endpoint_port}", 1)
    if re.match(r"^simulate dashboard\b", command) and "--port" not in command:
        command = command.replace("simulate dashboard", f"simulate dashboard --port {dashboard_port}", 1)
    return command


def copy_of_repository(destination: Path, endpoint_port: int | None = None) -> Path:
    shutil.copytree(REPO, destination, symlinks=True, ignore=shutil.ignore_patterns(*NOT_COPIED))
    (destination / ".venv").symlink_to(Path(sys.prefix))  # the guide's `export PATH=$PWD/.venv/bin:$PATH`
    if endpoint_port is not None:
        for inventory in (destination / "inventory").glob("*.yml"):
            text = inventory.read_text()
            inventory.write_text(text.replace(f"127.0.0.1:{GUIDE_PORTS['endpoint']}", f"127.0.0.1:{endpoint_port}"))
    return destination


def clean_environment(**extra: str) -> dict[str, str]:
    """No AWS or Ansible settings of the developer's; the project's tools first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "WILDRYDES_"))}
    env.update(PATH=f"{BIN}:{os.environ['PATH']}", ANSIBLE_NOCOLOR="1", NO_COLOR="1", TERM="dumb")
    env.update(extra)
    return env


@dataclass
class Session:
    name: str
    script: str
    workdir: Path
    env: dict[str, str]
    transcript: Path
    returncode: int | None = None

    def run(self) -> None:
        script = self.transcript.with_suffix(".sh")
        script.write_text(self.script)
        with self.transcript.open("w") as out:
            process = subprocess.Popen(
                ["bash", str(script)],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                self.returncode = process.wait(timeout=SESSION_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                self.returncode = process.wait()
                with self.transcript.open("a") as more:
                    more.write(f"\nguide test: the session took more than {SESSION_TIMEOUT} s and was killed\n")

    def output(self) -> str:
        return self.transcript.read_text(errors="replace")

    def check(self, *expected: str) -> None:
        output = self.output()
        tail = textwrap.indent("\n".join(output.splitlines()[-60:]), "    ")
        assert self.returncode == 0, f"{self.name} session failed ({self.returncode}); its last lines:\n{tail}"
        missing = [text for text in expected if text not in output]
        assert not missing, f"{self.name} session never printed {missing}; its last lines:\n{tail}"


def run_at_once(*sessions: Session) -> None:
    threads = [threading.Thread(target=session.run, name=session.name) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


INSTRUCTOR_USER = "wildrydes-instructor"


def instructor_key(endpoint: Endpoint, account: str, policy: dict) -> tuple[str, str]:
    """The key of a new IAM user of `account` whose only permissions are `policy`."""
    iam = endpoint.client("iam", account)
    iam.create_user(UserName=INSTRUCTOR_USER)
    iam.put_user_policy(UserName=INSTRUCTOR_USER, PolicyName="WildrydesInstructor", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=INSTRUCTOR_USER)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


@dataclass(frozen=True)
class AwsProfiles:
    env: dict[str, str]  # AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE
    admin_keys: frozenset[str]  # key ids of profiles that are their account's admin
    instructor_keys: frozenset[str]  # key ids of profiles allowed only the instructor policy


def aws_profiles(endpoint: Endpoint, folder: Path, policy: dict) -> AwsProfiles:
    """AWS config and credentials files defining the example inventory's profiles, each in a simulated account of
    its own on `endpoint`, with keys the endpoint made: the first attendee's account admin key, the others' the key
    of an IAM user allowed only `policy`."""
    hosts = yaml.safe_load((REPO / "inventory" / "aws.example.yml").read_text())["attendees"]["hosts"]
    account_of = {host["wildrydes_aws_profile"]: f"{700000000000 + n:012d}" for n, host in enumerate(hosts.values(), 1)}
    endpoint.add_accounts(*account_of.values())
    folder.mkdir()
    config, credentials, admin_keys, instructor_keys = [], [], set(), set()
    for number, host in enumerate(hosts.values(), start=1):
        profile = host["wildrydes_aws_profile"]
        if number == 1:
            key_id, secret = endpoint.admin_key(account_of[profile])
            admin_keys.add(key_id)
        else:
            key_id, secret = instructor_key(endpoint, account_of[profile], policy)
            instructor_keys.add(key_id)
        config += [f"[profile {profile}]", f"region = {host['wildrydes_region']}", ""]
        credentials += [f"[{profile}]", f"aws_access_key_id = {key_id}", f"aws_secret_access_key = {secret}", ""]
    (folder / "config").write_text("\n".join(config))
    (folder / "credentials").write_text("\n".join(credentials))
    files = {"AWS_CONFIG_FILE": str(folder / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(folder / "credentials")}
    return AwsProfiles(env=files, admin_keys=frozenset(admin_keys), instructor_keys=frozenset(instructor_keys))


# -- the tests --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", GUIDES)
def test_every_command_block_says_where_it_runs(language):
    blocks = command_blocks(GUIDES[language])
    assert {block.where for block in blocks} == {"local", "aws"}
    local = [command.text for block in blocks if block.where == "local" for command in block.commands]
    aws = [command.text for block in blocks if block.where == "aws" for command in block.commands]
    # The guide starts the local endpoint as users get it (IAM enforcement on), takes the credentials it generated,
    # and stops it, last; the aws blocks never touch it.
    assert local[0:3] == ["export PATH=$PWD/.venv/bin:$PATH", "simulate local start", 'eval "$(simulate local env)"']
    assert local[-1] == "simulate local stop"
    assert not [command for command in local if "iam-enforcement" in command]
    assert not [command for command in aws if "simulate local" in command or "127.0.0.1" in command]


@pytest.mark.parametrize("language", GUIDES)
def test_no_key_is_written_in_the_guide(language):
    """Keys are generated by the endpoint (or are the reader's own): none belongs in the text."""
    text = GUIDES[language].read_text(encoding="utf-8")
    assert not re.findall(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b", text)
    assert not re.findall(r"aws_secret_access_key|AWS_SECRET_ACCESS_KEY", text)


def test_the_translation_has_the_same_commands():
    english, korean = (command_blocks(GUIDES[language]) for language in ("en", "ko"))
    assert [(b.where, b.commands) for b in korean] == [(b.where, b.commands) for b in english]
    assert instructor_policy(GUIDES["ko"]) == instructor_policy(GUIDES["en"])
    for language in ("en", "ko"):
        assert "![](dashboard.png)" in GUIDES[language].read_text(encoding="utf-8")


def commands(blocks: list[Block], where: str, endpoint_port: int | None, dashboard_port: int) -> list[Command]:
    return [
        Command(with_ports(command.text, endpoint_port, dashboard_port), command.until_ctrl_c)
        for block in blocks
        if block.where == where
        for command in block.commands
    ]


@dataclass
class GuideRun:
    local: Session
    aws: Session
    aws_trace: Path
    aws_profiles: AwsProfiles

    def provisioning_calls(self, keys: frozenset[str] | None = None) -> set[str]:
        """The AWS actions the playbooks' modules called with an attendee profile's credentials (or `keys`)."""
        keys = keys if keys is not None else self.aws_profiles.admin_keys | self.aws_profiles.instructor_keys
        calls = (line.split() for line in self.aws_trace.read_text().splitlines())
        return {action for action, key in calls if key in keys}


def local_session(guide: Path, folder: Path) -> Session:
    endpoint_port = free_port()
    return Session(
        name=f"{guide.name} local",
        script=session_script(
            commands(command_blocks(guide), "local", endpoint_port, free_port()), folder / "repo", folder / "terminals"
        ),
        workdir=copy_of_repository(folder / "repo", endpoint_port),
        env=clean_environment(
            WILDRYDES_STATE_DIR=str(folder / "state"),
            AWS_CONFIG_FILE=str(folder / "no-aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(folder / "no-aws-credentials"),
        ),
        transcript=folder / "transcript.log",
    )


def aws_session(guide: Path, folder: Path, endpoint: Endpoint) -> tuple[Session, Path, AwsProfiles]:
    profiles = aws_profiles(endpoint, folder / "profiles", instructor_policy(guide))
    (folder / "trace").mkdir()
    (folder / "trace" / "sitecustomize.py").write_text(TRACER)
    trace = folder / "trace" / "calls.txt"
    trace.touch()
    session = Session(
        name=f"{guide.name} aws",
        script=session_script(
            commands(command_blocks(guide), "aws", None, free_port()), folder / "repo", folder / "terminals"
        ),
        workdir=copy_of_repository(folder / "repo"),
        env=clean_environment(
            **profiles.env,
            AWS_ENDPOINT_URL=endpoint.url,
            PYTHONPATH=os.pathsep.join(filter(None, [str(folder / "trace"), os.environ.get("PYTHONPATH")])),
            WILDRYDES_GUIDE_TRACE=str(trace),
        ),
        transcript=folder / "transcript.log",
    )
    return session, trace, profiles


@pytest.fixture(scope="module")
def guide_runs(tmp_path_factory) -> dict[str, GuideRun]:
    """Both guides, each as a local and an aws session: the four sessions run at once."""
    runs: dict[str, GuideRun] = {}
    with ExitStack() as stack:
        for language, guide in GUIDES.items():
            folder = tmp_path_factory.mktemp(f"guide-{language}")
            (folder / "local").mkdir()
            (folder / "aws").mkdir()
            (folder / "aws-endpoint").mkdir()
            local = local_session(guide, folder / "local")
            # Whatever becomes of the local session, its endpoint goes (the guide's last command stops it).
            stack.callback(subprocess.run, [str(BIN / "simulate"), "local", "stop"], env=local.env, capture_output=True)
            endpoint = stack.enter_context(running_endpoint(folder / "aws-endpoint", iam_enforcement=True))
            aws, trace, profiles = aws_session(guide, folder / "aws", endpoint)
            runs[language] = GuideRun(local=local, aws=aws, aws_trace=trace, aws_profiles=profiles)
        run_at_once(*(session for run in runs.values() for session in (run.local, run.aws)))
    return runs


@pytest.mark.slow
@pytest.mark.parametrize("language", GUIDES)
def test_the_local_blocks_run_as_written(language, guide_runs):
    guide_runs[language].local.check(
        "ok local: identity pool id us-east-1:",
        '"Name": "Shadowfax"',
        '"Name": "Bucephalus"',
        "guest can read, cannot write",
        "dashboard of local: http://127.0.0.1:",
        "ok local: everything the lab created is gone",
        # The instructor's rehearsal: three attendees in three accounts added to the endpoint.
        "account 000000000003 added: profile wildrydes-local-000000000003",
        "ok alice: identity pool id us-east-1:",
        "ok bob: identity pool id eu-west-1:",
        "ok carol: stream wildrydes ACTIVE",
        "ok carol: everything the lab created is gone",
    )


@pytest.mark.slow
@pytest.mark.parametrize("language", GUIDES)
def test_the_aws_blocks_run_as_written(language, guide_runs):
    guide_runs[language].aws.check(
        "ok attendee-01: identity pool id us-east-1:",
        '"Name": "Shadowfax"',
        '"Name": "Bucephalus"',
        "dashboard of attendee-01: http://127.0.0.1:",
        "ok attendee-03: identity pool id ap-northeast-2:",
        "ok attendee-02: stream wildrydes ACTIVE",
        "ok attendee-03: everything the lab created is gone",
    )


@pytest.mark.slow
@pytest.mark.parametrize("language", GUIDES)
def test_the_instructor_policy_allows_every_call_the_playbooks_made(language, guide_runs):
    run = guide_runs[language]
    called = run.provisioning_calls()
    assert {"kinesis:CreateStream", "cognito-identity:CreateIdentityPool", "iam:PutRolePolicy"} <= called
    assert sorted(called - allowed_actions(instructor_policy(GUIDES[language]))) == []
    # The attendees provisioned with only the policy went through setup, verify and teardown (their sessions
    # succeeded), so these calls were allowed by the endpoint's IAM checks, resource by resource.
    by_instructor = run.provisioning_calls(run.aws_profiles.instructor_keys)
    assert {"kinesis:CreateStream", "cognito-identity:SetIdentityPoolRoles", "kinesis:DeleteStream"} <= by_instructor


# -- the instructor policy, call by call --------------------------------------------------------------------------

STREAM = "wildrydes"
UNAUTH_ROLE = "Cognito_wildrydesUnauth_Role"
COGNITO_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
        }
    ],
}
# The policy as the guide wrote it before the endpoint checked resource types: every Kinesis action on the stream,
# every pool action on the pools. AWS refuses what it authorises only on "*" (or also on a KMS key) under it.
SCOPED_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "kinesis:CreateStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:UpdateShardCount",
                "kinesis:UpdateStreamMode",
                "kinesis:StartStreamEncryption",
            ],
            "Resource": "arn:aws:kinesis:*:*:stream/wildrydes",
        },
        {"Effect": "Allow", "Action": "cognito-identity:CreateIdentityPool", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "cognito-identity:SetIdentityPoolRoles",
            "Resource": "arn:aws:cognito-identity:*:*:identitypool/*",
        },
        {
            "Effect": "Allow",
            "Action": ["iam:CreateRole", "iam:PassRole"],
            "Resource": f"arn:aws:iam::*:role/{UNAUTH_ROLE}",
        },
    ],
}


def signed_with(endpoint: Endpoint, key: tuple[str, str], service: str):
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint.url,
        aws_access_key_id=key[0],
        aws_secret_access_key=key[1],
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def denied(call, **params) -> bool:
    try:
        call(**params)
    except botocore.exceptions.ClientError as error:
        # IAM, a query-protocol service, says AccessDenied; the JSON services AccessDeniedException.
        assert error.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException"), error.response["Error"]
        return True
    return False


def lab_resources(endpoint: Endpoint, key: tuple[str, str]) -> tuple[str, str, str]:
    """The stream, the unauthenticated role and the pool, made with `key`: (stream ARN, role ARN, pool id)."""
    kinesis = signed_with(endpoint, key, "kinesis")
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    stream_arn = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
    iam = signed_with(endpoint, key, "iam")
    role_arn = iam.create_role(RoleName=UNAUTH_ROLE, AssumeRolePolicyDocument=json.dumps(COGNITO_TRUST))["Role"]["Arn"]
    pool = signed_with(endpoint, key, "cognito-identity").create_identity_pool(
        IdentityPoolName=STREAM, AllowUnauthenticatedIdentities=True, AllowClassicFlow=True
    )
    return stream_arn, role_arn, pool["IdentityPoolId"]


@pytest.fixture
def policy_endpoint(tmp_path) -> Iterator[Endpoint]:
    with running_endpoint(tmp_path, iam_enforcement=True, state_transition_seconds=0.0) as endpoint:
        yield endpoint


def test_the_instructor_policy_grants_what_aws_authorises_only_on_star_or_with_the_key(policy_endpoint):
    """Resharding, switching the mode, encrypting with the Kinesis key and handing a pool its roles: what setup
    does when the inventory asks, each allowed by the guide's policy under the endpoint's resource-type checks."""
    endpoint = policy_endpoint
    endpoint.add_accounts("700000000011")
    key = instructor_key(endpoint, "700000000011", instructor_policy(GUIDES["en"]))
    stream_arn, role_arn, pool_id = lab_resources(endpoint, key)
    kinesis = signed_with(endpoint, key, "kinesis")
    kinesis.update_shard_count(StreamName=STREAM, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    kinesis.start_stream_encryption(StreamName=STREAM, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    kinesis.stop_stream_encryption(StreamName=STREAM, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    kinesis.update_stream_mode(StreamARN=stream_arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    cognito = signed_with(endpoint, key, "cognito-identity")
    cognito.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"unauthenticated": role_arn})
    assert cognito.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {"unauthenticated": role_arn}
    # Least privilege stays: another stream, and a role that is not the lab's, are refused.
    assert denied(kinesis.create_stream, StreamName="not-the-lab", ShardCount=1)
    endpoint.client("kinesis", "700000000011").create_stream(StreamName="not-the-lab", ShardCount=1)
    assert denied(
        kinesis.start_stream_encryption, StreamName="not-the-lab", EncryptionType="KMS", KeyId="alias/aws/kinesis"
    )
    iam = signed_with(endpoint, key, "iam")
    assert denied(iam.create_role, RoleName="SomeoneElsesRole", AssumeRolePolicyDocument=json.dumps(COGNITO_TRUST))


def test_scoping_those_actions_to_the_stream_or_pool_is_refused(policy_endpoint):
    """The control: the endpoint does refuse them when scoped as AWS does not authorise them, so the test above
    would see a guide policy that scopes them."""
    endpoint = policy_endpoint
    endpoint.add_accounts("700000000012")
    key = instructor_key(endpoint, "700000000012", SCOPED_ONLY)
    stream_arn, role_arn, pool_id = lab_resources(endpoint, key)
    kinesis = signed_with(endpoint, key, "kinesis")
    assert denied(kinesis.update_shard_count, StreamName=STREAM, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    assert denied(kinesis.update_stream_mode, StreamARN=stream_arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert denied(kinesis.start_stream_encryption, StreamName=STREAM, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    cognito = signed_with(endpoint, key, "cognito-identity")
    assert denied(cognito.set_identity_pool_roles, IdentityPoolId=pool_id, Roles={"unauthenticated": role_arn})
