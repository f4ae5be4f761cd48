"""Per-dataset work (validation, inference) on every core: forked worker processes.

The workers are forked, so they start with the parent's datasets, context and parsed shapes and
ontology in memory; only an item's number goes to a worker and only its result comes back.
$CLKG_WORKERS sets how many (default: the cores this process may use; 1 runs everything here).
"""

import os

#: Below this many items the work stays in this process: starting workers would cost more.
MIN_ITEMS = 8

_JOB = None  # (function, items) of the map going on, for the forked workers


def workers() -> int:
    """$CLKG_WORKERS, or the number of cores this process may use.

    :raises UsageError: $CLKG_WORKERS is not a whole number ≥ 1.
    """
    from clkg.errors import UsageError
    from clkg.text import shown

    text = os.environ.get("CLKG_WORKERS")
    if text is None:
        return len(os.sched_getaffinity(0))
    if not text.strip().isdigit() or int(text) < 1:
        raise UsageError(f"CLKG_WORKERS must be a whole number ≥ 1, not {shown(text)!r}")
    return int(text)


def mapped(function, items: list, *, description: str, unit: str) -> list:
    """``[function(item) for item in items]``, with a progress bar, in forked workers when there
    are several cores and at least :data:`MIN_ITEMS` items (and this is not itself a worker of a
    pool). The first error an item raises is raised here, as it was raised there.
    """
    import multiprocessing

    from clkg.progress import progress

    count = min(workers(), len(items))
    if count < 2 or len(items) < MIN_ITEMS or multiprocessing.current_process().daemon:  # a worker has none
        return [function(item) for item in progress(items, description, unit=unit)]
    global _JOB
    _JOB = (function, items)
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            return list(progress(pool.imap(_nth, range(len(items))), description, unit=unit, total=len(items)))
    finally:
        _JOB = None


def _nth(number: int):
    function, items = _JOB
    return function(items[number])
