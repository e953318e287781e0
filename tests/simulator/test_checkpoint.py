"""Checkpoint writes are atomic: a unique temporary file in the same folder, fsynced, renamed; concurrent
writers (two consumers on one checkpoint) never break each other or leave a torn file."""

import json
import threading
from pathlib import Path

from simulator.reader import Checkpoint


def test_concurrent_saves_never_fail_and_always_leave_a_whole_file(tmp_path: Path):
    path = tmp_path / "position.json"
    problems: list[BaseException] = []

    def writer(n: int) -> None:
        checkpoint = Checkpoint(path, "wildrydes")
        try:
            for step in range(150):
                checkpoint.shards["shardId-000000000000"] = {"after": str(n * 1000 + step)}
                checkpoint.save()
                json.loads(path.read_text())  # readers only ever see a whole file
        except BaseException as error:
            problems.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    assert Checkpoint(path, "wildrydes").exists
    assert sorted(p.name for p in tmp_path.iterdir()) == ["position.json"], "no temporary file left behind"


def test_a_checkpoint_in_a_missing_folder_is_one_line(tmp_path: Path):
    import pytest

    from simulator.errors import UserError

    checkpoint = Checkpoint(tmp_path / "nowhere" / "position.json", "wildrydes")
    checkpoint.shards["shardId-000000000000"] = {"after": "1"}
    with pytest.raises(UserError, match="cannot write checkpoint"):
        checkpoint.save()
