"""CPU time another process spends, in nanoseconds, from the scheduler's own accounting.

`/proc/PID/schedstat` counts one thread (its first field: nanoseconds on a CPU); the endpoint serves each
connection on a thread of its own, so a snapshot reads every thread's `/proc/PID/task/TID/schedstat`. A thread
that ends between two snapshots takes its time with it, and one that starts and ends between them (a server that
closes each connection, as moto_server does) is never seen; `/proc/PID/stat` (utime + stime: the whole process, dead
threads included, in clock ticks) is kept beside it so that such a loss shows, and that figure is used instead.
"""

import os
from dataclasses import dataclass

TICK_NS = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
# Each snapshot's tick count is rounded down to a tick: more apart than this, the thread sum missed something.
TICK_SLACK_NS = 3 * TICK_NS


@dataclass(frozen=True)
class CpuSnapshot:
    threads_ns: dict[int, int]
    process_ticks_ns: int


def snapshot(pid: int) -> CpuSnapshot:
    threads: dict[int, int] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as stat:
                threads[int(tid)] = int(stat.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended while we listed them
    with open(f"/proc/{pid}/stat") as stat:
        # The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        fields = stat.read().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return CpuSnapshot(threads_ns=threads, process_ticks_ns=(utime + stime) * TICK_NS)


@dataclass(frozen=True)
class CpuUse:
    ns: int
    exact: bool  # False: threads ended between the snapshots and `ns` comes from the process's ticks


def used(before: CpuSnapshot, after: CpuSnapshot) -> CpuUse:
    """CPU nanoseconds spent between the snapshots: per thread from schedstat; if threads ended meanwhile (their
    time lost to schedstat), the process's tick count instead, the coarser but complete figure."""
    threads = sum(ns - before.threads_ns.get(tid, 0) for tid, ns in after.threads_ns.items())
    ticks = after.process_ticks_ns - before.process_ticks_ns
    if set(before.threads_ns) - set(after.threads_ns) or ticks - threads > TICK_SLACK_NS:
        return CpuUse(ticks, exact=False)
    return CpuUse(threads, exact=True)
