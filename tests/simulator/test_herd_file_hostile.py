"""Issue 10, item 4: any bytes in a herd file give `file:line: problem` or `file: not UTF-8 text (byte 0x.. at
offset N)`, never a traceback. Property tests: random edits of fleet.yml and random bytes load as a valid herd
or fail with one clear line; a sample of them through the real `simulate` command exits 2 with that line."""

import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import fleet_config
from simulator.errors import UserError

REPO = Path(__file__).resolve().parents[2]
FLEET = (REPO / "fleet.yml").read_bytes()
SIMULATE = str(Path(sys.executable).with_name("simulate"))
SETTINGS = {"deadline": None, "suppress_health_check": list(HealthCheck)}


def load_or_one_line(path: Path, data: bytes) -> fleet_config.Fleet | str:
    """The herd, or the one-line problem; any other exception fails the test."""
    path.write_bytes(data)
    try:
        fleet = fleet_config.load(path)
    except UserError as problem:
        message = str(problem)
        assert message.startswith(f"{path}:") or message.startswith(f"{path} "), message
        assert "\n" not in message and "\r" not in message, message
        return message
    if sum(group.count for group in fleet.herds) <= 2000:
        herd, _ = fleet.build()
        assert herd
    return fleet


def test_a_file_that_is_not_utf8_names_the_byte_and_its_offset(tmp_path):
    path = tmp_path / "herd.yml"
    message = load_or_one_line(path, b"unicorns:\n  - name: Sh\xe9dowfax\n")
    assert message == f"{path}: not UTF-8 text (byte 0xe9 at offset 22)"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"unicorns:\n  - name: A\x00B\n", ":2: not valid YAML (special characters are not allowed: #x0000)"),
        (b"unicorns:\n  - name: A\n    '[/x]': 1\n", ":3: unicorns.0.[/x]: unknown key '[/x]'"),
        (b'unicorns:\n  - name: "\\e[2J"\n  - name: "\\e[2J"\n', "unicorn name '\\x1b[2J' appears twice"),
        (b"\xef\xbb\xbfunicorns:\n  - name: A\n", None),  # a byte-order mark is fine
        (b"a: &a [*a]\nunicorns: *a\n", ":"),
        (b"[" * 1500, ":"),
    ],
    ids=["nul", "markup-key", "escape-name", "bom", "recursive-alias", "deep-nesting"],
)
def test_hostile_herd_files_are_one_line(tmp_path, data, expected):
    outcome = load_or_one_line(tmp_path / "herd.yml", data)
    if expected is None:
        assert isinstance(outcome, fleet_config.Fleet)
    else:
        assert isinstance(outcome, str) and expected in outcome


def _edit(text: str, rng: random.Random) -> str:
    """One random edit of a YAML text: characters, whole lines, indentation or values."""
    lines = text.split("\n")
    kind = rng.randrange(6)
    at = rng.randrange(len(lines))
    junk = rng.choice(
        [
            "",
            " ",
            "  ",
            "-",
            ":",
            "[",
            "]",
            "{",
            "}",
            "&a",
            "*a",
            "!!binary",
            "'",
            '"',
            "\t",
            "#",
            "?",
            "|",
            ">",
            "%",
            "@",
            "`",
            "~",
            "null",
            "1e999",
            "-1",
            "0",
            "true",
            "\x1b[2J",
            "[/x]",
            "유니콘",
        ]
    )
    if kind == 0:
        del lines[at]
    elif kind == 1:
        lines.insert(at, rng.choice(lines) if rng.random() < 0.5 else junk)
    elif kind == 2 and lines[at]:
        spot = rng.randrange(len(lines[at]) + 1)
        lines[at] = lines[at][:spot] + junk + lines[at][spot:]
    elif kind == 3 and ":" in lines[at]:
        lines[at] = lines[at].split(":", 1)[0] + ": " + junk
    elif kind == 4:
        lines[at] = " " * rng.randrange(8) + lines[at].lstrip()
    elif lines[at]:
        spot = rng.randrange(len(lines[at]))
        lines[at] = lines[at][:spot] + lines[at][spot + 1 :]
    return "\n".join(lines)


@settings(max_examples=1000, **SETTINGS)
@given(st.randoms(use_true_random=False), st.integers(1, 6))
def test_random_edits_of_fleet_yml_load_or_fail_in_one_line(tmp_path_factory, rng, edits):
    text = FLEET.decode()
    for _ in range(edits):
        text = _edit(text, rng)
    # One file rewritten by each example: a folder per example costs more than the parse.
    load_or_one_line(tmp_path_factory.getbasetemp() / "edited-fleet.yml", text.encode("utf-8", errors="surrogatepass"))


@settings(max_examples=800, **SETTINGS)
@given(st.binary(max_size=400) | st.builds(lambda a, b: a + b, st.just(FLEET[:300]), st.binary(max_size=60)))
def test_random_bytes_load_or_fail_in_one_line(tmp_path_factory, data):
    load_or_one_line(tmp_path_factory.getbasetemp() / "random-fleet.yml", data)


@pytest.mark.parametrize(
    "data",
    [
        b"unicorns:\n  - name: \xff\n",
        b"unicorns:\n  - name: A\x00\n",
        b"unicorns:\n  - name: A\n    '[/x]': 1\n",
        b"[" * 1500,
    ],
    ids=["not-utf8", "nul", "markup", "deep"],
)
def test_the_command_exits_2_with_the_one_line(tmp_path, data):
    path = tmp_path / "herd.yml"
    expected = load_or_one_line(path, data)
    run = subprocess.run([SIMULATE, "fleet", str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert run.stderr == f"error: {expected}\n"
