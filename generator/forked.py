"""Jobs done on every core, for a build made once (the command line).

This process forks one for each other core, and all of them, this one included, take parts
of the list of jobs in turn; the forked ones hand back what each job returned. Forking shares
the jobs and the whole site with those processes without copying or pickling them."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing

SHARES = 16  # parts of the list for each process: neighbouring jobs share work, and
# processes that finish early take the next part

_SHARE = None  # in a forked process only: the arguments of _do_parts


def _start(*share) -> None:
    """In each forked process, before its first job."""
    global _SHARE
    _SHARE = share
    _collect_young()


def _collect_young() -> None:
    """The collector, which the build turned off, is turned on for what the jobs leave, and
    the objects there are now are frozen, so that collecting neither scans nor writes to
    them (a written page of memory stops being shared between the processes)."""
    gc.freeze()
    gc.enable()


def give_back_free_memory() -> None:
    """Return to the system the memory freed so far, which C's allocator would otherwise
    keep, and every forked process with it. Only the GNU C library has malloc_trim;
    elsewhere nothing is done."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass


def _do_parts(jobs: list, do, between, parts: int, counter) -> list:
    """Parts of jobs, taken in turn until none is left: what do returned for each."""
    size = -(-len(jobs) // parts)
    done = []
    while True:
        with counter.get_lock():
            number = counter.value
            counter.value += 1
        if number >= parts:
            return done
        if between is not None:
            between()
        give_back_free_memory()  # what the last part (the data files, say) used for a moment
        done.extend(do(job) for job in jobs[number * size:(number + 1) * size])


def _forked_share():
    """In a forked process: what its jobs returned, and what collect() tells at the end."""
    done = _do_parts(*_SHARE[:5])
    collect = _SHARE[5]
    return done, collect() if collect is not None else None


def run(jobs: list, do, workers: int, between=None, collect=None) -> list[tuple[list, object]]:
    """do(job) for every job, here and in workers - 1 forked processes, each of which also
    calls between() before each part it takes, and collect() once it is done. For each
    process, this one last: (what do returned for its jobs, what collect returned or None)."""
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    share = (jobs, do, between, workers * SHARES, counter, collect)
    with context.Pool(workers - 1, initializer=_start, initargs=share) as pool:
        forked = [pool.apply_async(_forked_share) for _ in range(workers - 1)]
        enabled = gc.isenabled()
        _collect_young()
        try:
            here = _do_parts(*share[:5])
        finally:
            gc.unfreeze()
            if not enabled:
                gc.disable()
        done = [result.get() for result in forked]
    return done + [(here, None)]
