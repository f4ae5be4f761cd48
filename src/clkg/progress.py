"""A progress bar on stderr for long work, shown only when stderr is a terminal."""

import sys


def progress(items, description: str, *, unit: str = "item", total: int | None = None):
    """Iterate over items, with a tqdm bar when there are several and a person is watching.

    :param total: the number of items, when ``items`` is an iterator to be consumed as it comes.
    """
    if total is None:
        items = list(items)
        total = len(items)
    if total < 2 or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, desc=description, unit=unit, total=total, file=sys.stderr, leave=False)
