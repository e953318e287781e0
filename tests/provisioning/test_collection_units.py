"""The wildrydes.lab collection's unit tests (ansible-test layout, in the collection's tests/unit), in `make test`.

They run with this project's pytest in a child process, with collections/ on the import path so that
`ansible_collections.wildrydes.lab` resolves beside the amazon.aws installed with the pinned `ansible` package, as
`ansible-test units` would arrange it (that command itself would first install its own pytest plugins from PyPI).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / "collections"
UNITS = COLLECTIONS / "ansible_collections" / "wildrydes" / "lab" / "tests" / "unit"


def test_collection_unit_tests_pass(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(COLLECTIONS)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(UNITS), str(UNITS)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    passed = re.search(r"(\d+) passed", output)
    # Every module and the lookup have their tests; a collection that silently collected none would pass empty.
    assert passed and int(passed.group(1)) >= 45, output
