"""Loaders: read a researcher's case dataset, in any accepted format, into RDF.

One module per input format (``csv_folder``, ``workbook``, ``rdf_file``); ``dataset`` checks
and maps the tables the first two read, following ``case-data.csv-metadata.json``; ``limits``
and ``markup`` check every file, archive and XML or JSON text before a parser sees it.
"""

import stat
from pathlib import Path

from clkg.errors import InputError, Problem
from .dataset import Dataset
from .limits import Limits


def read_dataset(path: str | Path, *, prefixes: dict[str, str], limits: Limits | None = None) -> Dataset:
    """Read one case dataset (a folder of CSV files, an .xlsx workbook or an RDF file).

    ``limits`` defaults to :meth:`Limits.from_env`. The entries of a folder (or the sheets of a
    workbook) that are no table are named in ``Dataset.ignored``.

    :raises InputError: naming every problem found, the same kind of problem counted rather
        than repeated.
    :raises UsageError: when a ``CLKG_MAX_…`` variable is not a number.
    """
    from .csv_folder import read_csv_folder
    from .dataset import build_dataset
    from .limits import condense, not_regular, stat_path
    from .rdf_file import FORMATS, read_rdf_file
    from .workbook import read_workbook

    limits = limits or Limits.from_env()
    path = Path(path)
    try:
        mode = stat_path(path).st_mode
        if stat.S_ISDIR(mode):
            raw, ignored = read_csv_folder(path, limits=limits)
        elif not stat.S_ISREG(mode):
            raise InputError([Problem(str(path), not_regular(path, mode))])
        elif path.suffix.lower() == ".xlsx":
            raw, ignored = read_workbook(path, limits=limits)
        elif path.suffix.lower() in FORMATS:
            return read_rdf_file(path, limits=limits, prefixes=prefixes)
        else:
            raise InputError([Problem(str(path), "is neither a dataset folder, an .xlsx workbook nor an "
                                      "RDF file (" + ", ".join(FORMATS) + ")")])
        dataset = build_dataset(raw, source=str(path), prefixes=prefixes)
    except InputError as err:
        raise InputError(condense(err.problems)) from None
    dataset.ignored = ignored
    return dataset


__all__ = ["Dataset", "Limits", "read_dataset"]
