"""A progress bar on stderr for long work, shown only when stderr is a terminal."""

import sys


def progress(items, description: str, *, unit: str = "item"):
    """Iterate over items, with a tqdm bar when there are several and a person is watching."""
    items = list(items)
    if len(items) < 2 or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, desc=description, unit=unit, file=sys.stderr, leave=False)
