"""The wildrydes.lab collection's integration target, run by `ansible-test integration` against the local endpoint.

ansible-test reads the endpoint, region and keys from the collection's tests/integration/integration_config.yml
(git-ignored), written here for a simulated account of its own on the provisioning tests' endpoint.
`ansible-test integration --local` runs the target with this virtual environment's Ansible and boto3: nothing is
installed and nothing is downloaded.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REGION, Endpoint

REPO = Path(__file__).resolve().parents[2]
COLLECTION = REPO / "collections" / "ansible_collections" / "wildrydes" / "lab"
CONFIG = COLLECTION / "tests" / "integration" / "integration_config.yml"
ACCOUNT = "444455556666"  # this test's own simulated account
ANSIBLE_TEST = str(Path(sys.executable).with_name("ansible-test"))
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"  # this venv's Python, whichever the machine has


@pytest.mark.slow
@pytest.mark.parametrize("target", ["kinesis_stream", "identity_pool"])
def test_integration_target_passes_against_the_local_endpoint(enforcing_endpoint: Endpoint, target: str):
    subprocess.run([sys.executable, str(REPO / "collections/tools/prepare_ansible_test.py")], check=True, timeout=120)
    enforcing_endpoint.add_accounts(ACCOUNT)
    key_id, secret = enforcing_endpoint.admin_key(ACCOUNT)
    CONFIG.write_text(
        yaml.safe_dump(
            {
                "aws_access_key": key_id,
                "aws_secret_key": secret,
                "aws_region": REGION,
                "aws_endpoint_url": enforcing_endpoint.url,
                "resource_prefix": f"wildrydes-it-{os.getpid()}",
            }
        )
    )
    try:
        done = subprocess.run(
            [ANSIBLE_TEST, "integration", "--local", "--python", PYTHON_VERSION, "--color", "no", target],
            cwd=COLLECTION,
            env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        CONFIG.unlink(missing_ok=True)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "failed=0" in output, output
