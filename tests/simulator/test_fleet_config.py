"""The herd file: the example loads, and every kind of mistake is one line naming file, line and problem."""

from pathlib import Path

import pytest

from simulator import fleet_config
from simulator.errors import UserError

REPO = Path(__file__).resolve().parents[2]


def test_the_example_fleet_file_loads_and_builds():
    fleet = fleet_config.load(REPO / "fleet.yml")
    herd, _ = fleet.build()
    names = [unicorn.name for unicorn, _, _ in herd]
    assert names[:3] == ["Shadowfax", "Bucephalus", "Rocinante"]
    assert names[3:] == [f"Herd-{n:04d}" for n in range(1, 6)]
    assert fleet.consumer is not None and fleet.consumer.enabled


def test_a_seed_makes_the_herd_reproducible(tmp_path):
    path = tmp_path / "herd.yml"
    path.write_text("seed: 9\nherds:\n  - count: 3\n    spread_m: 5000\n")
    first = [(u.latitude, u.longitude, u.speed) for u, _, _ in fleet_config.load(path).build()[0]]
    second = [(u.latitude, u.longitude, u.speed) for u, _, _ in fleet_config.load(path).build()[0]]
    assert first == second


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("unicorns:\n  - name: A\n    colour: pink\n", ":3: unicorns.0.colour: unknown key 'colour'"),
        ("unicorns:\n  - name: A\n  - name: A\n", "unicorn name 'A' appears twice"),
        ("rate: 0\nunicorns:\n  - name: A\n", ":1: rate: Input should be greater than 0"),
        ("herds:\n  - count: -2\n", ":2: herds.0.count: Input should be greater than 0"),
        (
            "unicorns:\n  - name: A\n    start: {latitude: 91, longitude: 0}\n",
            ":3: unicorns.0.start.latitude: Input should be less than or equal to 90",
        ),
        (
            "unicorns:\n  - name: A\n    start: {latitude: 1, longitude: -181}\n",
            ":3: unicorns.0.start.longitude: Input should be greater than or equal to -180",
        ),
        ("stream: wildrydes\n", "the fleet has no unicorns"),
        ("unicorns: [\n", "not valid YAML"),
        ("- just\n- a list\n", ":1: a herd file is a mapping"),
    ],
    ids=[
        "unknown-key",
        "duplicate-name",
        "zero-rate",
        "negative-count",
        "latitude",
        "longitude",
        "empty",
        "yaml",
        "list",
    ],
)
def test_mistakes_name_file_line_and_problem(tmp_path, text, expected):
    path = tmp_path / "herd.yml"
    path.write_text(text)
    with pytest.raises(UserError) as problem:
        fleet_config.load(path)
    message = str(problem.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(UserError, match="cannot read the herd file"):
        fleet_config.load(tmp_path / "nope.yml")


@pytest.mark.parametrize(
    ("consumer", "expected"),
    [
        ("  mode: push\n", ":4: consumer.mode: Input should be 'poll' or 'efo'"),
        (
            "  consumer_name: readers\n",
            ":4: consumer: consumer_name names an enhanced fan-out consumer: add `mode: efo`",
        ),
        (
            "  mode: efo\n  consumer_name: 'two words'\n",
            ":5: consumer.consumer_name: consumer name 'two words' is not valid: 1 to 128 characters",
        ),
        ("  mode: efo\n  consumer_name: ''\n", ":5: consumer.consumer_name: consumer name '' is not valid"),
    ],
    ids=["unknown-mode", "name-without-efo", "name-pattern", "name-empty"],
)
def test_consumer_mode_mistakes_name_file_line_and_problem(tmp_path, consumer, expected):
    path = tmp_path / "herd.yml"
    path.write_text("unicorns:\n  - name: A\nconsumer:\n" + consumer)
    with pytest.raises(UserError) as problem:
        fleet_config.load(path)
    assert str(problem.value).startswith(str(path)) and expected in str(problem.value)


def test_a_consumer_may_read_by_enhanced_fan_out(tmp_path):
    path = tmp_path / "herd.yml"
    path.write_text("unicorns:\n  - name: A\nconsumer:\n  mode: efo\n  consumer_name: map.reader-2\n")
    consumer = fleet_config.load(path).consumer
    assert consumer is not None and (consumer.mode, consumer.consumer_name) == ("efo", "map.reader-2")
    assert fleet_config.load(REPO / "fleet.yml").consumer.mode == "poll"
