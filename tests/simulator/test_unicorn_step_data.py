"""step_data (the herd's hot path) is step(...).encode() byte for byte: same draws, same model, same JSON."""

import json
import random

import pytest

from simulator import record
from simulator.unicorn import POINTS_BOUNDS, Unicorn

NAMES = ["Shadowfax", 'Quote "me" \\ back', "유니콘", "<img src=x onerror=alert(1)>", "tab\there", "\u202eevil"]


@pytest.mark.parametrize("seed", range(5))
def test_step_data_is_the_encoded_step_for_any_name_speed_and_tick(seed: int) -> None:
    for index, name in enumerate(NAMES):
        slow = index % 2 == 0  # a speed range the jitter keeps hitting both ends of
        options = {"speed_range": (0.0, 10.0) if slow else (150.0, 200.0), "magic": POINTS_BOUNDS[index % 2]}
        fast, plain = Unicorn(name, random.Random(seed), **options), Unicorn(name, random.Random(seed), **options)
        fast_rng, plain_rng = random.Random(seed + 100), random.Random(seed + 100)
        for tick in range(400):
            seconds = 0.05 * (1 + tick % 40)  # 20 Hz to one record every 2 s
            data = fast.step_data(fast_rng, "2017-06-05 09:17:08.189", seconds)
            assert data == plain.step(plain_rng, "2017-06-05 09:17:08.189", seconds).encode()
        assert fast_rng.random() == plain_rng.random()  # the same number of draws


def test_step_data_decodes_as_a_unicorn_record() -> None:
    unicorn = Unicorn('Quote "me"', random.Random(1))
    data = unicorn.step_data(random.Random(2), "2017-06-05 09:17:08.189")
    decoded = record.decode(data)
    assert decoded is not None and decoded["Name"] == 'Quote "me"'
    assert list(json.loads(data)) == list(record.FIELDS)
    assert (decoded["Latitude"], decoded["Longitude"]) == (unicorn.latitude, unicorn.longitude)
