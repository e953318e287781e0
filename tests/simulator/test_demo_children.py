"""Issue 10, item 6: `simulate demo` reads what its background dashboard writes, so a chatty child never blocks
on a full pipe; its lines are logged on the demo's stderr, prefixed, with control characters made visible."""

import sys

from simulator.commands import demo

CHATTY = r"""
import sys
print("dashboard of local: http://127.0.0.1:1/?attendee=local", flush=True)
for n in range(40000):  # about 2.4 MB: far beyond any pipe buffer
    sys.stderr.write(f"GET /basemap/land.json {n:06d} \x1b[2J\n")
sys.stderr.write("the last line\n")
sys.stderr.flush()
print("bye", flush=True)
"""


def test_a_child_that_writes_a_lot_to_stderr_is_drained_and_logged(capfd):
    board, url = demo._start_dashboard(0, command=[sys.executable, "-c", CHATTY])
    assert url == "http://127.0.0.1:1/?attendee=local"
    assert board is not None
    assert board.process.wait(timeout=60) == 0, "the child blocked on a pipe nobody reads"
    demo._stop(board)  # waits for the pipes to be read to their end: the last lines are logged
    err = capfd.readouterr().err
    assert "dashboard: the last line" in err and "dashboard: bye" in err
    assert "\x1b" not in err and "dashboard: GET /basemap/land.json 039999 \\x1b[2J" in err


def test_a_dashboard_that_cannot_start_is_a_note_with_its_error_line(capfd):
    failing = [
        sys.executable,
        "-c",
        "import sys; sys.stderr.write('x' * 200000 + '\\nerror: port 8080 is in use\\n'); sys.exit(2)",
    ]
    board, url = demo._start_dashboard(0, command=failing)
    assert (board, url) == (None, None)
    out = capfd.readouterr().out
    assert "the dashboard did not start (port 8080 is in use)" in out
