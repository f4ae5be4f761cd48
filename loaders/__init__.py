"""Loaders: read a researcher's case dataset, in any accepted format, into RDF.

One module per input format (``csv_folder``, ``workbook``, ``rdf_file``); ``dataset`` checks
and maps the tables the first two read, following ``case-data.csv-metadata.json``.
"""

from pathlib import Path

from clkg.errors import InputError, Problem
from .dataset import Dataset


def read_dataset(path: str | Path, *, prefixes: dict[str, str]) -> Dataset:
    """Read one case dataset (a folder of CSV files, an .xlsx workbook or an RDF file)."""
    from .csv_folder import read_csv_folder
    from .dataset import build_dataset
    from .rdf_file import FORMATS, read_rdf_file
    from .workbook import read_workbook

    path = Path(path)
    if path.is_dir():
        raw = read_csv_folder(path)
    elif path.suffix.lower() == ".xlsx" and path.is_file():
        raw = read_workbook(path)
    elif path.suffix.lower() in FORMATS and path.is_file():
        return read_rdf_file(path)
    elif not path.exists():
        raise InputError([Problem(str(path), "does not exist")])
    else:
        raise InputError([Problem(str(path), "is neither a dataset folder, an .xlsx workbook nor an RDF file (" + ", ".join(FORMATS) + ")")])
    return build_dataset(raw, source=str(path), prefixes=prefixes)


__all__ = ["Dataset", "read_dataset"]
