"""Run the real playbooks with ansible-playbook against a local endpoint with IAM enforcement on.

Each test uses its own simulated account(s), so tests share one endpoint without seeing each other.
"""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import Endpoint, running_endpoint

REPO = Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = str(Path(sys.executable).with_name("ansible-playbook"))
RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=\d+\s+failed=(?P<failed>\d+)"
)


@dataclass
class Run:
    returncode: int
    output: str

    def recap(self) -> dict[str, dict[str, int]]:
        """Per host: ok, changed, failed from the PLAY RECAP."""
        found = {}
        for line in self.output.splitlines():
            match = RECAP.match(line)
            if match:
                found[match["host"]] = {k: int(match[k]) for k in ("ok", "changed", "failed")}
        return found

    def report(self) -> list[str]:
        """The report play's one line per attendee."""
        return re.findall(r'"msg": "((?:ok|FAILED|KEPT) [^"]*)"', self.output)


@dataclass
class Lab:
    endpoint: Endpoint
    inventory: Path
    build_dir: Path

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
            "ANSIBLE_NOCOLOR": "1",
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "WILDRYDES_STATE_DIR": str(self.endpoint.state_dir),  # where the local profiles are
        }

    def adhoc(self, module: str, args: str) -> subprocess.CompletedProcess:
        """One module run by `ansible localhost -m MODULE -a ARGS` (its stdout: the json callback's document)."""
        env = {
            **self.environment(),
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
            "ANSIBLE_STDOUT_CALLBACK": "json",
            "AWS_CONFIG_FILE": str(self.endpoint.state.aws_config_file),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.endpoint.state.aws_credentials_file),
        }
        ansible = str(Path(sys.executable).with_name("ansible"))
        return subprocess.run(
            [ansible, "localhost", "-m", module, "-a", args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def playbook(self, name: str, *args: str) -> Run:
        env = self.environment()
        done = subprocess.run(
            [ANSIBLE_PLAYBOOK, "-i", str(self.inventory), name, *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        return Run(done.returncode, done.stdout + done.stderr)


@pytest.fixture(scope="session")
def enforcing_endpoint(tmp_path_factory) -> Iterator[Endpoint]:
    with running_endpoint(tmp_path_factory.mktemp("enforcing"), iam_enforcement=True) as endpoint:
        yield endpoint


def _with_profile(endpoint: Endpoint, host: dict) -> dict:
    host = dict(host)
    account = host.pop("account", None)
    if account is not None:
        endpoint.add_accounts(account)
        host.setdefault("wildrydes_aws_profile", f"wildrydes-local-{account}")  # unless the test names its own
    return host


@pytest.fixture
def make_lab(enforcing_endpoint, tmp_path):
    """Write an inventory of the given attendees (host vars) that uses the repository's group_vars."""

    def make(hosts: dict[str, dict], **group_vars) -> Lab:
        """A host's `account` (12 digits) becomes its simulated account's profile, added to the endpoint first."""
        folder = tmp_path / "inventory"
        folder.mkdir(exist_ok=True)
        if not (folder / "group_vars").exists():
            (folder / "group_vars").symlink_to(REPO / "inventory" / "group_vars")
        hosts = {name: _with_profile(enforcing_endpoint, host) for name, host in hosts.items()}
        inventory = folder / "attendees.yml"
        group = {"wildrydes_endpoint_url": enforcing_endpoint.url, **group_vars}
        inventory.write_text(yaml.safe_dump({"attendees": {"hosts": hosts, "vars": group}}))
        return Lab(endpoint=enforcing_endpoint, inventory=inventory, build_dir=tmp_path / "build")

    return make
