"""Read a case dataset kept as a folder of CSV files."""

import csv
from pathlib import Path

from clkg.errors import InputError, Problem
from .dataset import RawTable

csv.field_size_limit(1 << 30)  # a cell may hold a long text (the default limit is 128 KiB)


def read_csv_folder(folder: Path) -> list[RawTable]:
    """The tables of a folder, one per ``*.csv`` file; other files are left alone."""
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise InputError([Problem(str(folder), "holds no .csv files: a dataset needs at least "
                                  "study.csv and cases.csv")])
    return [_read_csv(path) for path in files]


def _read_csv(path: Path) -> RawTable:
    """UTF-8 (a byte-order mark is allowed), any line ends, RFC 4180 quoting."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise InputError([Problem(str(path), f"is not UTF-8 text (byte 0x{err.object[err.start]:02x} "
                                  f"on line {line}); save it as 'CSV UTF-8'", line)]) from None
    except OSError as err:
        raise InputError([Problem(str(path), f"cannot be read: {err.strerror}")]) from None
    if "\x00" in text:
        raise InputError([Problem(str(path), "contains NUL bytes: it is not a CSV text file")])
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    records = []
    try:
        for cells in reader:
            records.append((reader.line_num, cells))
    except csv.Error as err:
        raise InputError([Problem(str(path), f"is not valid CSV: {err}", len(records) + 1)]) from None
    header = [h.strip() for h in records[0][1]] if records else []
    rows = [(number, cells) for number, (_, cells) in enumerate(records[1:], start=2)]
    return RawTable(path.stem, str(path), path.name, header, rows)
