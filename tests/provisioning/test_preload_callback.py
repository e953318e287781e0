"""The wildrydes.lab.preload callback (enabled in the lab's ansible.cfg): the plugins every task's worker needs are
loaded once in ansible-playbook itself, so a worker finds them imported instead of importing them again (for a class
of attendees about a tenth of the CPU; docs/benchmarks.md). Measured in real ansible-playbook runs, from inside a
task's worker."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent / "preload"
ANSIBLE_PLAYBOOK = str(Path(sys.executable).with_name("ansible-playbook"))
WATCHED = [
    "ansible_collections.wildrydes.lab.plugins.connection.warm",
    "ansible_collections.wildrydes.lab.plugins.lookup.aws_regions",
    "ansible_collections.wildrydes.lab.plugins.plugin_utils.warm_client",
    "botocore.session",
    "ansible_collections.ansible.builtin.plugins.lookup.env",
    "ansible_collections.ansible.builtin.plugins.action.assert",
    "ansible_collections.ansible.builtin.plugins.action.set_fact",
    "ansible_collections.wildrydes.lab.plugins.filter.owned_by",
]


def loaded_in_worker(tmp_path: Path, callbacks: str | None) -> set[str]:
    env = {
        **os.environ,
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOOKUP_PLUGINS": str(HERE / "lookup_plugins"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "local-tmp"),
    }
    if callbacks is not None:
        env["ANSIBLE_CALLBACKS_ENABLED"] = callbacks
    done = subprocess.run(
        [ANSIBLE_PLAYBOOK, "-i", "attendee,", "-e", "ansible_connection=wildrydes.lab.warm", str(HERE / "play.yml")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {name for name in WATCHED if f'"msg": "LOADED {name}"' in done.stdout}


def test_the_labs_config_preloads_the_connection_and_lookups_before_workers_fork(tmp_path):
    assert loaded_in_worker(tmp_path, None) == set(WATCHED)


def test_without_the_callback_each_worker_imports_them_again(tmp_path):
    # The same run with another aggregate callback in its place: what the callback saves is really imported again.
    assert loaded_in_worker(tmp_path, "ansible.posix.profile_tasks") == set()
