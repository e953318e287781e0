"""CPU time another process spends, in nanoseconds, from the scheduler's own accounting.

`/proc/PID/schedstat` counts one thread (its first field: nanoseconds on a CPU); the endpoint serves each
connection on a thread of its own, so a snapshot reads every thread's `/proc/PID/task/TID/schedstat`. A thread
that ends between two snapshots takes its time with it; `/proc/PID/stat` (utime + stime, whole process, dead threads
included, but only in clock ticks of 10 ms) is kept beside it so that such a loss shows and can be accounted.
"""

import os
from dataclasses import dataclass

TICK_NS = 1_000_000_000 // os.sysconf("SC_CLK_TCK")


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
    exact: bool  # False: a thread ended between the snapshots and `ns` comes from the 10 ms ticks


def used(before: CpuSnapshot, after: CpuSnapshot) -> CpuUse:
    """CPU nanoseconds spent between the snapshots: per thread from schedstat; if a thread ended meanwhile (its
    time lost to schedstat), the process's tick count instead, the coarser but complete figure."""
    if set(before.threads_ns) - set(after.threads_ns):
        return CpuUse(after.process_ticks_ns - before.process_ticks_ns, exact=False)
    return CpuUse(sum(ns - before.threads_ns.get(tid, 0) for tid, ns in after.threads_ns.items()), exact=True)
