"""Read a case dataset kept as a folder of CSV files."""

import codecs
import csv
import io
import re
from pathlib import Path

from clkg.errors import InputError, Problem

from .casedata import tables
from .dataset import RawTable
from .limits import Limits, list_folder, read_file

#: The dataset's own mappings (SSSOM TSV), read with its tables.
ALIGNMENTS_FILE = "alignments.sssom.tsv"
#: Endings a table file was surely meant to have when its name is a table's and it ends so.
_NEAR_ENDINGS = ("csv", "txt", "tsv", "tab", "xlsx", "xls", "ods")


def read_csv_folder(folder: Path, *, limits: Limits) -> tuple[list[RawTable], dict[str, str]]:
    """The tables of a folder, one per ``<table>.csv`` file, and {name: why it is ignored} of the
    other entries (a sub-folder's name ends in ``/``). :data:`ALIGNMENTS_FILE` is neither: the
    caller reads it.

    :raises InputError: for a file named almost like a table or the alignments (``Cases.csv``,
        ``findings.csv.txt``, ``alignments.tsv``), a folder without CSV files, and every table
        that cannot be read.
    """
    found, problems, ignored = [], [], {}
    for entry in list_folder(folder):
        path = folder / entry.name
        meant = _meant(entry.name)
        if meant:
            kind = "the alignments file" if meant == ALIGNMENTS_FILE else "a table file"
            problems.append(Problem(str(path), f"is not read: {kind} is named exactly {meant} "
                                    "(rename it, or move it out of the dataset folder)"))
        elif entry.name.endswith(".csv"):
            try:
                found.append(_read_csv(path, limits))
            except InputError as err:
                problems += err.problems
        elif _is_dir(entry):
            ignored[entry.name + "/"] = "a folder: clkg reads no sub-folders of a dataset"
        elif entry.name != ALIGNMENTS_FILE:
            ignored[entry.name] = f"not a table: clkg reads <table>.csv files and {ALIGNMENTS_FILE}"
    if problems:
        raise InputError(problems)
    if not found:
        raise InputError([Problem(str(folder), "holds no .csv files: a dataset needs at least "
                                  "study.csv and cases.csv")])
    return found, ignored


def _meant(name: str) -> str | None:
    """The file (a table or the alignments) a name that is not exactly one was meant to be, if
    it is a near miss."""
    squashed = "".join(name.split()).lower()
    stem, _, ending = squashed.partition(".")
    if stem in tables() and name != f"{stem}.csv" and (ending in _NEAR_ENDINGS or ending.startswith("csv")):
        return f"{stem}.csv"
    if stem == "alignments" and name != ALIGNMENTS_FILE and (ending in _NEAR_ENDINGS or ending.startswith("sssom")):
        return ALIGNMENTS_FILE
    return None


def _is_dir(entry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _read_csv(path: Path, limits: Limits) -> RawTable:
    """UTF-8 (a byte-order mark is allowed), CR/LF/CRLF line ends, RFC 4180 quoting.

    The delimiter is a comma, or a semicolon when the header has semicolons and no commas
    (what Excel writes in locales with a decimal comma). Rows are numbered as a spreadsheet
    shows them: by record, whatever line breaks quoted cells hold.
    """
    def refuse(message: str, row: int | None = None):
        return InputError([Problem(str(path), message, row)])

    data = read_file(path, limits)
    csv.field_size_limit(limits.cell_chars)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refuse("is UTF-16 text ('Unicode Text'); save it as 'CSV UTF-8'", 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        before = data[:err.start].decode("utf-8-sig")
        row = _record_at(before, _delimiter(before))
        raise refuse(f"is not UTF-8 text (byte 0x{err.object[err.start]:02x}); save it as 'CSV UTF-8'",
                     row) from None
    delimiter = _delimiter(text)
    records = []
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            records.append(cells)
            if len(cells) > limits.columns:
                raise refuse(limits.over("columns", f"has {len(cells):,} cells"), len(records))
            if len(records) > limits.rows + 1:
                raise refuse(limits.over("rows", "has too many rows"), len(records))
    except csv.Error as err:
        message = str(err)
        if "field larger than field limit" in message:
            message = limits.over("cell_chars", "a cell is too long")
        elif "unexpected end of data" in message or "EOF" in message:
            message = "a quoted cell (starting with \") is never closed with a matching quote"
        raise refuse(message, len(records) + 1) from None
    if "\x00" in text:
        number = next(n for n, cells in enumerate(records, 1) if any("\x00" in c for c in cells))
        raise refuse("contains a NUL byte (a character that is not text): delete it", number)
    padded = len(records[0]) if records else 0
    header = [h.strip() for h in records[0]] if records else []
    while header and not header[-1]:  # spreadsheet exports pad every row with empty columns
        header.pop()
    rows = []
    for number, cells in enumerate(records[1:], start=2):
        if len(cells) <= padded and not any(c.strip() for c in cells[len(header):]):
            cells = cells[:len(header)]
        rows.append((number, cells))
    return RawTable(path.stem, str(path), path.name, header, rows)


def _delimiter(text: str) -> str:
    first_line = re.split(r"\r\n?|\n", text, maxsplit=1)[0]  # CR alone ends lines too (Excel for Mac)
    return ";" if ";" in first_line and "," not in first_line else ","


def _record_at(before: str, delimiter: str) -> int:
    """The number of the record that the character after ``before`` belongs to."""
    count = 0
    try:
        for _ in csv.reader(io.StringIO(before + "x", newline=""), delimiter=delimiter):
            count += 1
    except csv.Error:
        count += 1
    return count
