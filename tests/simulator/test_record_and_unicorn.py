"""The record and the unicorn model: pure unit tests, calibrated on the workshop's sample output."""

import itertools
import json
import random
from datetime import UTC, datetime

from simulator import record
from simulator.unicorn import Unicorn, haversine_m

WORKSHOP_SAMPLE = """{
  "Name": "Shadowfax",
  "StatusTime": "2017-06-05 09:17:08.189",
  "Latitude": 42.264444250051326,
  "Longitude": -71.97582884770408,
  "Distance": 175,
  "MagicPoints": 110,
  "HealthPoints": 150
}"""


def test_pretty_output_is_byte_identical_to_the_workshop_consumer():
    status = record.UnicornStatus(
        "Shadowfax", "2017-06-05 09:17:08.189", 42.264444250051326, -71.97582884770408, 175, 110, 150
    )
    assert record.pretty(record.decode(status.encode())) == WORKSHOP_SAMPLE


def test_keys_come_out_in_the_workshop_order_whatever_order_they_arrive_in():
    shuffled = json.dumps(dict(reversed(list(json.loads(WORKSHOP_SAMPLE).items())))).encode()
    assert record.pretty(record.decode(shuffled)) == WORKSHOP_SAMPLE


def test_html_characters_are_escaped_as_go_does():
    status = record.UnicornStatus("<img src=x>&", "2017-06-05 09:17:08.189", 1.0, 2.0, 3, 4, 5)
    assert '"Name": "\\u003cimg src=x\\u003e\\u0026"' in record.pretty(record.decode(status.encode()))


def test_records_that_are_not_ours_are_recognised():
    for data in (
        b"not json",
        b"[1,2]",
        b'{"Name": "x"}',
        b"\xff\xfe",
        json.dumps({**json.loads(WORKSHOP_SAMPLE), "Extra": 1}).encode(),
    ):
        assert record.decode(data) is None


def test_status_time_is_utc_with_milliseconds():
    moment = datetime(2017, 6, 5, 9, 17, 8, 189_999, tzinfo=UTC)
    assert record.format_status_time(moment) == "2017-06-05 09:17:08.189"
    assert record.parse_status_time("2017-06-05 09:17:08.189") == datetime(2017, 6, 5, 9, 17, 8, 189_000, tzinfo=UTC)


def ride(seed: int, seconds: int = 600):
    rng = random.Random(seed)
    unicorn = Unicorn("Shadowfax", rng)
    now = datetime(2017, 6, 5, 9, 17, 8, tzinfo=UTC)
    return unicorn, [unicorn.step(rng, now) for _ in range(seconds)]


def test_a_unicorn_covers_150_to_200_metres_a_second_and_distance_matches_the_fix():
    _unicorn, statuses = ride(7)
    previous = (statuses[0].latitude, statuses[0].longitude)
    for status in statuses[1:]:
        assert 150 <= status.distance <= 200
        moved = haversine_m(previous, (status.latitude, status.longitude))
        assert abs(moved - status.distance) < 0.5
        previous = (status.latitude, status.longitude)


def test_it_starts_near_the_workshop_sample_and_turns_smoothly():
    unicorn, statuses = ride(11, seconds=2)
    assert haversine_m((statuses[0].latitude, statuses[0].longitude), (42.2644, -71.9758)) < 250
    unicorn, _ = ride(11)
    rng = random.Random(3)
    headings = []
    for _ in range(300):
        unicorn.step(rng, datetime.now(UTC))
        headings.append(unicorn.heading)
    turns = [abs((b - a + 180) % 360 - 180) for a, b in itertools.pairwise(headings)]
    assert max(turns) <= 12.0


def test_vitals_start_at_150_and_drift_by_at_most_one():
    _, statuses = ride(5)
    assert abs(statuses[0].magic_points - 150) <= 1 and abs(statuses[0].health_points - 150) <= 1
    for a, b in itertools.pairwise(statuses):
        assert abs(a.magic_points - b.magic_points) <= 1
        assert abs(a.health_points - b.health_points) <= 1
        assert 0 <= b.health_points <= 250


def test_the_same_seed_rides_the_same_path():
    _, first = ride(42, seconds=50)
    _, second = ride(42, seconds=50)
    assert [(s.latitude, s.longitude, s.distance, s.magic_points) for s in first] == [
        (s.latitude, s.longitude, s.distance, s.magic_points) for s in second
    ]
    _, other = ride(43, seconds=50)
    assert other[-1].latitude != first[-1].latitude


def test_the_fast_encoding_is_the_json_of_the_record():
    for name in ("Shadowfax", 'Quote "me" \\ back', "유니콘", "<img src=x onerror=alert(1)>", "tab\there"):
        status = record.UnicornStatus(
            name, "2017-06-05 09:17:08.189", 42.264444250051326, -71.97582884770408, 175, 1, 2
        )
        assert json.loads(status.encode()) == status.as_dict()
        assert status.encode() == json.dumps(status.as_dict(), separators=(",", ":")).encode()
