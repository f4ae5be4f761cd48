"""Read a case dataset kept as a folder of CSV files."""

import codecs
import csv
import io
import re
from pathlib import Path

from clkg.errors import InputError, Problem

from .dataset import RawTable

csv.field_size_limit(1 << 30)  # a cell may hold a long text (the default limit is 128 KiB)
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, decoded with surrogateescape


def read_csv_folder(folder: Path) -> list[RawTable]:
    """The tables of a folder, one per ``*.csv`` file; other files are left alone.

    :raises InputError: the folder holds no CSV file, or a file is not UTF-8 CSV (naming its row).
    """
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise InputError([Problem(str(folder), "holds no .csv files: a dataset needs at least "
                                  "study.csv and cases.csv")])
    return [_read_csv(path) for path in files]


def _read_csv(path: Path) -> RawTable:
    """UTF-8 (a byte-order mark is allowed), CR/LF/CRLF line ends, RFC 4180 quoting.

    The delimiter is a comma, or a semicolon when the header has semicolons and no commas
    (what Excel writes in locales with a decimal comma).
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError([Problem(str(path), f"cannot be read: {err.strerror}")]) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError([Problem(str(path), "is UTF-16 text ('Unicode Text'); save it as 'CSV UTF-8'", 1)])
    # a byte that is not UTF-8 becomes a lone surrogate, reported below with its record's row
    text = data.decode("utf-8-sig", errors="surrogateescape")
    first_line = re.split(r"\r\n?|\n", text, maxsplit=1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = []
    try:
        for cells in reader:
            records.append(cells)
    except csv.Error as err:
        row = len(records) + 1
        message = str(err)
        if "unexpected end of data" in message or "EOF" in message:
            message = "a quoted cell (starting with \") is never closed with a matching quote"
        raise InputError([Problem(str(path), message, row)]) from None
    for number, cells in enumerate(records, start=1):
        if any("\x00" in cell for cell in cells):
            raise InputError([Problem(str(path), "contains a NUL byte (a character that is not text): "
                                      "delete it", number)])
        if bad := _NOT_UTF8.search("".join(cells)):
            raise InputError([Problem(str(path), f"is not UTF-8 text (byte 0x{ord(bad[0]) - 0xDC00:02x}); "
                                      "save it as 'CSV UTF-8'", number)])
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
