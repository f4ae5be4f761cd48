"""Read a case dataset kept as one .xlsx workbook, one sheet per table."""

import datetime
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from clkg.errors import InputError, Problem
from clkg.text import shown

from .casedata import EXACT_INTEGER
from .dataset import RawTable
from .limits import Limits, read_file
from .markup import open_zip

GUIDE_SHEETS = {"readme", "guide"}
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a cell formula element, <f> or <x:f …>
#: What openpyxl raises for a workbook whose parts are malformed (bad XML, a shared string that
#: does not exist, a date out of range …), once the archive itself has been checked.
_MALFORMED = (SyntaxError, KeyError, IndexError, ValueError, TypeError, AttributeError, OverflowError,
              OSError, zipfile.BadZipFile, zlib.error)


def read_workbook(path: Path, *, limits: Limits) -> tuple[list[RawTable], dict[str, str]]:
    """The tables of a workbook, one per sheet, and {sheet: why it is ignored} of the sheets
    README and Guide (documentation). Values are those Excel saved; a formula without a saved value is an error.

    :raises InputError: for a file that is no workbook or passes a limit (file size, unpacked
        size, rows, columns, cell length, declared sheet dimension), XML with a DOCTYPE, sheets
        whose names are the same once trimmed, and formulas without a saved value.
    """
    from openpyxl import load_workbook

    data = read_file(path, limits)
    _, formulas = open_zip(path, data, limits, find=_FORMULA, what="an .xlsx workbook")
    with _unreadable(str(path)), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns of every Excel feature it does not read
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        source = load_workbook(io.BytesIO(data), read_only=True, data_only=False) if formulas else None
    try:
        sheets, ignored = _table_sheets(path, book)
        found, problems = [], []
        for sheet in sheets:
            label = f"{path}, sheet {sheet.title.strip()}"
            records = _records(sheet, label, limits)
            if source is not None:
                problems += _formulas_without_values(source[sheet.title], label, records, limits)
            found.append(_table(path, sheet.title.strip(), label, records))
    finally:
        book.close()
        if source is not None:
            source.close()
    if problems:
        raise InputError(problems)
    return found, ignored


@contextmanager
def _unreadable(label: str):
    """Turns what openpyxl raises for a malformed part into an InputError naming the file."""
    try:
        yield
    except _MALFORMED as err:
        raise InputError([Problem(label, f"cannot be read as an .xlsx workbook "
                                  f"({shown(type(err).__name__ + ': ' + str(err))})")]) from None


def _table_sheets(path: Path, book) -> tuple[list, dict[str, str]]:
    """The sheets that hold tables, and {sheet: why} of the documentation sheets."""
    sheets, ignored, titles = [], {}, {}
    for sheet in book.worksheets:
        name = sheet.title.strip()
        if name.lower() in GUIDE_SHEETS:
            ignored[f"sheet {sheet.title}"] = "documentation: clkg reads no sheet named README or Guide"
            continue
        titles.setdefault(name, []).append(sheet.title)
        sheets.append(sheet)
    clashes = [Problem(str(path), "sheets " + " and ".join(f"'{shown(t)}'" for t in same)
                       + f" both hold the table {shown(name)} (names are read without the spaces "
                       "around them): delete or rename one")
               for name, same in titles.items() if len(same) > 1]
    if clashes:
        raise InputError(clashes)
    return sheets, ignored


def _rows(sheet, label: str, limits: Limits) -> Iterator[tuple[int, tuple]]:
    """(row number, values up to the last non-empty one) of each non-empty row, within the limits.

    The dimension a sheet declares is checked, then ignored: openpyxl would pad every row to it.
    """
    from openpyxl.utils import get_column_letter

    declared = (sheet.max_row or 0, sheet.max_column or 0)
    if declared[0] > limits.rows + 1 or declared[1] > limits.columns:
        size = f"declares the range A1:{get_column_letter(declared[1])}{declared[0]}"
        raise InputError([Problem(label, limits.over(name, f"{size} ({count:,} {name})"))
                          for name, count, cap in (("rows", declared[0], limits.rows + 1),
                                                   ("columns", declared[1], limits.columns))
                          if count > cap])
    sheet.reset_dimensions()
    with _unreadable(label):
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            width = len(values)
            while width and values[width - 1] is None:
                width -= 1
            if not width:
                continue
            if number > limits.rows + 1:
                raise InputError([Problem(label, limits.over("rows", "has too many rows"), number)])
            if width > limits.columns:
                raise InputError([Problem(label, limits.over("columns", f"has {width:,} cells"), number)])
            yield number, values[:width]


def _records(sheet, label: str, limits: Limits) -> list[list[str]]:
    """The sheet's rows as text, from row 1 to the last non-empty row (row N is records[N - 1])."""
    from openpyxl.utils import get_column_letter

    records = []
    for number, values in _rows(sheet, label, limits):
        records += [[] for _ in range(number - 1 - len(records))]
        cells = [_text(v) for v in values]
        for index, text in enumerate(cells):
            if len(text) > limits.cell_chars:
                raise InputError([Problem(label, f"cell {get_column_letter(index + 1)}{number} " + limits.over(
                    "cell_chars", f"holds {len(text):,} characters"), number)])
        records.append(cells)
    return records


def _formulas_without_values(sheet, label: str, records: list[list[str]], limits: Limits) -> list[Problem]:
    """A problem for each formula cell of ``sheet`` (read with formulas) whose saved value is empty."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    header = [h.strip() for h in records[0]] if records else []
    problems = []
    for number, values in _rows(sheet, label, limits):
        saved = records[number - 1] if number <= len(records) else []
        for index, value in enumerate(values):
            if isinstance(value, ArrayFormula):
                value = value.text
            elif isinstance(value, DataTableFormula):
                value = "=TABLE(…)"
            if isinstance(value, str) and value.startswith("=") and not (index < len(saved) and saved[index]):
                column = header[index] if number > 1 and index < len(header) else None
                problems.append(Problem(label, f"cell {get_column_letter(index + 1)}{number} holds the formula "
                                        f"'{shown(value)}' but no saved result: open the workbook in Excel "
                                        "or LibreOffice and save it, or type the value", number, column))
    return problems


def _table(path: Path, name: str, label: str, records: list[list[str]]) -> RawTable:
    header = [h.strip() for h in records[0]] if records else []
    while header and not header[-1]:
        header.pop()
    rows = []
    for number, cells in enumerate(records[1:], start=2):
        while len(cells) > len(header) and not cells[-1]:
            cells = cells[:-1]
        rows.append((number, cells))
    return RawTable(name, label, f"{quote(path.name, safe='')}/{quote(name, safe='')}", header, rows)


def _text(value) -> str:
    """A cell as the text a CSV export would hold; a number with every digit it was saved with."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) <= EXACT_INTEGER:
            return str(int(value))
        return format(Decimal(repr(value)), "f")  # 1e+30 as 1 and 30 zeros, not 2**99.6 in full
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    return str(value)
