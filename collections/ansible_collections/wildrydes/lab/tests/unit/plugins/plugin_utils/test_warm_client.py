"""Which commands the wildrydes.lab.warm connection runs warm: exactly what Ansible's sh shell builds for a Python
module, checked against that shell plugin itself, and nothing a shell would read differently."""

import shlex

import pytest
from ansible.plugins.loader import shell_loader
from ansible_collections.wildrydes.lab.plugins.plugin_utils import warm_client
from hypothesis import given
from hypothesis import strategies as st

SH = shell_loader.get("sh")
PYTHON = "/opt/venv/bin/python3.11"
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
values = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


def ansible_command(env: dict[str, str], interpreter: str = PYTHON, script: str | None = None) -> str:
    """The command line Ansible hands the connection for a module run (ActionBase with the sh shell)."""
    cmd = SH.build_module_command(SH.env_prefix(**env), f"#!{interpreter}", script or "")
    return "/bin/sh -c " + shlex.quote(SH.append_command(cmd, "sleep 0"))


@given(st.dictionaries(names, values, max_size=6))
def test_every_environment_ansible_writes_is_read_back_exactly(env):
    plan = warm_client.plan(ansible_command(env), b"module", "/bin/sh")
    assert plan == warm_client.Plan(PYTHON, env, None)


def test_a_module_file_argument_is_read_back_when_nothing_is_piped():
    module = "/root/.ansible/tmp/x/AnsiballZ_ping.py"
    cmd = ansible_command({"A": "1"}, script=module)
    assert warm_client.plan(cmd, None, "/bin/sh") == warm_client.Plan(PYTHON, {"A": "1"}, module)
    # A file and piped data, or neither: not a shape Ansible uses.
    assert warm_client.plan(cmd, b"data", "/bin/sh") is None
    assert warm_client.plan(ansible_command({}), None, "/bin/sh") is None


@pytest.mark.parametrize(
    "inner",
    [
        "A=1 /usr/bin/python3; rm -rf /tmp/x && sleep 0",
        "A=1 /usr/bin/python3 | tee /tmp/x && sleep 0",
        "A=$(id) /usr/bin/python3 && sleep 0",
        "A=`id` /usr/bin/python3 && sleep 0",
        "A=$HOME /usr/bin/python3 && sleep 0",
        "/usr/bin/python3 > /tmp/out && sleep 0",
        "/usr/bin/python3 2>&1 && sleep 0",
        "A=1 A=2 /usr/bin/python3 && sleep 0",
        "A=~ /usr/bin/python3 && sleep 0",
        "/usr/bin/python3 && sleep 1",
        "/usr/bin/python3 || sleep 0",
        "/usr/bin/python3 -c pass && sleep 0",
        "/usr/bin/python3 a b && sleep 0",
        "python3 && sleep 0",
        "/bin/bash && sleep 0",
        "/usr/bin/perl && sleep 0",
        "sudo /usr/bin/python3 && sleep 0",
        "/usr/bin/python3 && sleep 0 && id",
        "'unterminated /usr/bin/python3 && sleep 0",
        "",
    ],
)
def test_anything_a_shell_would_read_differently_is_left_to_the_shell(inner):
    assert warm_client.plan("/bin/sh -c " + shlex.quote(inner), b"module", "/bin/sh") is None


@pytest.mark.parametrize(
    "cmd",
    [
        "/bin/bash -c '/usr/bin/python3 && sleep 0'",  # another shell than configured
        "/bin/sh -c '/usr/bin/python3 && sleep 0' ; id",
        '/bin/sh -c "/usr/bin/python3 && sleep 0"',  # not how Ansible quotes it
        "/bin/sh -x -c '/usr/bin/python3 && sleep 0'",
        "/bin/sh -c '/usr/bin/python3 && sleep 0' extra",
    ],
)
def test_only_the_configured_shell_in_ansibles_own_quoting(cmd):
    assert warm_client.plan(cmd, b"module", "/bin/sh") is None


@given(st.text(max_size=80))
def test_no_command_text_crashes_the_planner(text):
    for cmd in (text, "/bin/sh -c " + shlex.quote(text), "/bin/sh -c " + text):
        plan = warm_client.plan(cmd, b"module", "/bin/sh")
        assert plan is None or plan.interpreter.startswith("/")


def test_only_the_variables_python_reads_at_start_must_match_the_servers():
    env = {"LANG": "C.UTF-8", "LANGUAGE": "ko", "LC_ALL": "C", "LC_ALLX": "1", "PYTHONPATH": "/x", "MYPYTHONPATH": "y"}
    assert warm_client.startup_variables(env) == {"LANG": "C.UTF-8", "LC_ALL": "C", "PYTHONPATH": "/x"}
