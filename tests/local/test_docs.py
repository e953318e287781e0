"""docs/local-endpoint.md lists every fix the fidelity layer registers (so the two cannot drift apart)."""

import importlib
from pathlib import Path

from simulator.local import fidelity

DOC = Path(__file__).resolve().parents[2] / "docs" / "local-endpoint.md"


def test_every_registered_fix_is_documented():
    # Importing registers the fixes without applying them (applying would patch moto in this process).
    for name in fidelity.SERVICE_MODULES:
        importlib.import_module(f"simulator.local.fidelity.{name}")
    defects = {fix.defect for fix in fidelity.REGISTRY}
    assert len(defects) >= 14
    text = DOC.read_text()
    assert sorted(d for d in defects if f"`{d}`" not in text) == []
    assert f"moto {fidelity.MOTO_VERSION}" in text
