"""The fidelity layer: where moto 5.2.x differs from AWS in ways this lab depends on, we mend it here.

One module per service. Each fix is a function named after the defect it mends and registered with
`@fix(...)`; its docstring says what moto does and what AWS does. Every fix states the moto release
it was written against (`MOTO_VERSION`), and tests/local/ has a test per fix that fails on plain moto
(the launcher can start plain moto with `--plain-moto` to show it).
"""

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version

# Every fix below was written against, and tested with, this moto release.
MOTO_VERSION = "5.2.5"

SERVICE_MODULES = ("kinesis", "cognito_identity", "sts", "iam", "cloudwatch")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fix:
    service: str
    defect: str
    apply: Callable[[], None]


REGISTRY: list[Fix] = []


def fix(service: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register a function that mends one moto defect; its name is the defect's name."""

    def register(function: Callable[[], None]) -> Callable[[], None]:
        REGISTRY.append(Fix(service=service, defect=function.__name__, apply=function))
        return function

    return register


def apply_all() -> list[Fix]:
    """Apply every registered fix (once) and return them."""
    installed = version("moto")
    if installed != MOTO_VERSION:
        log.warning("fidelity layer written against moto %s, running on %s", MOTO_VERSION, installed)
    for name in SERVICE_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    for each in REGISTRY:
        each.apply()
    return list(REGISTRY)
