"""Read a case dataset kept as one .xlsx workbook, one sheet per table."""

import datetime
import zipfile
from pathlib import Path

from clkg.errors import InputError, Problem
from .dataset import RawTable

GUIDE_SHEETS = {"readme", "guide"}


def read_workbook(path: Path) -> list[RawTable]:
    """The tables of a workbook; a sheet named README or Guide is documentation and skipped."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise InputError([Problem(str(path), f"cannot be read as an .xlsx workbook ({err})")]) from None
    try:
        return [_read_sheet(path, sheet) for sheet in book.worksheets
                if sheet.title.strip().lower() not in GUIDE_SHEETS]
    finally:
        book.close()


def _read_sheet(path: Path, sheet) -> RawTable:
    records = [[_text(v) for v in values] for values in sheet.iter_rows(values_only=True)]
    while records and not any(records[-1]):
        records.pop()
    header = [h.strip() for h in records[0]] if records else []
    while header and not header[-1]:
        header.pop()
    rows = []
    for number, cells in enumerate(records[1:], start=2):
        while len(cells) > len(header) and not cells[-1]:
            cells = cells[:-1]
        rows.append((number, cells))
    name = sheet.title.strip()
    return RawTable(name, f"{path}, sheet {name}", f"{path.name}/{name}", header, rows)


def _text(value) -> str:
    """A cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    return str(value)
