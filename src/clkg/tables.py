"""Query answers as tables: Python values, and text as a table, CSV, JSON or Markdown."""

import csv
import io
import json
import re
import sys
from dataclasses import dataclass

from clkg.text import plural, shown

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "nonNegativeInteger", "positiveInteger", "int", "long")}
_DECIMALS = {XSD + t for t in ("decimal", "double", "float")}
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}  # the xsd:boolean lexical space
FORMATS = ("table", "csv", "json", "md", "html", "latex")


@dataclass
class Table:
    """Columns and rows of plain Python values (str, int, float, bool or None)."""

    columns: list[str]
    rows: list[tuple]

    @classmethod
    def from_solutions(cls, columns: list[str], rows) -> "Table":
        return cls(columns, [tuple(map(value, row)) for row in rows])

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def pivot(long: Table) -> Table:
    """(entity, property, value, position) rows as a comparison: one column per entity, one row per property."""
    entities = sorted({row[0] for row in long.rows})
    cells: dict[str, dict[str, str]] = {}
    positions: dict[str, float] = {}
    for entity, prop, val, position in long.rows:
        cells.setdefault(prop, {})[entity] = val
        positions[prop] = min(positions.get(prop, float("inf")), position if position is not None else 0)
    props = sorted(cells, key=lambda p: (positions[p], p))
    return Table(["property", *entities], [(p, *(cells[p].get(e) for e in entities)) for p in props])


def value(term):
    """A pyoxigraph term (or None) as a plain Python value: IRIs and text as str, numbers as
    numbers, booleans as bool; a literal not valid for its datatype as its text."""
    if term is None:
        return None
    datatype = getattr(term, "datatype", None)
    if datatype is not None:
        try:
            if datatype.value in _INTEGERS:
                return int(term.value)
            if datatype.value in _DECIMALS:
                return float(term.value)
        except ValueError:
            return term.value
        if datatype.value == XSD + "boolean":
            return _BOOLEANS.get(term.value, term.value)
    return term.value


def shortened(table: Table, converter) -> Table:
    """The table with every IRI value written as a CURIE where a prefix of ``converter`` covers it."""
    from clkg.prefixes import compress

    def short(v):
        return compress(v, converter) if isinstance(v, str) and v.startswith(("http://", "https://")) else v
    return Table(table.columns, [tuple(map(short, row)) for row in table.rows])


def render(table: Table, fmt: str, *, raw: bool = False) -> str:
    """Text of a table in one of FORMATS.

    CSV is safe to open in a spreadsheet: a text cell that starts with ``=``, ``+``, ``-``, ``@``,
    a tab or a carriage return (which a spreadsheet would run as a formula) gets a leading
    ``'``, as OWASP advises; numbers are left alone. ``raw`` writes every text as it is.
    HTML and LaTeX escape their special characters; the terminal table shows control
    characters escaped.
    """
    if fmt == "json":
        return json.dumps(table.records(), ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        safe = (lambda v: v) if raw else _inert
        out = io.StringIO()
        writer = csv.writer(out)  # RFC 4180 line ends, \r\n: a cell holding \r is quoted too
        writer.writerow(map(safe, table.columns))
        writer.writerows(["" if v is None else safe(v) for v in row] for row in table.rows)
        return out.getvalue()
    cells = [["" if v is None else str(v) for v in row] for row in table.rows]
    if fmt == "html":
        from html import escape
        head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
        body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>\n" for row in cells)
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"
    if fmt == "latex":
        spec = "".join(_latex_column(table, i, cells) for i in range(len(table.columns)))
        env = "tabularx" if "X" in spec else "tabular"
        width = "{\\linewidth}" if env == "tabularx" else ""
        lines = [f"\\begin{{{env}}}{width}{{{spec}}}", "\\hline",
                 " & ".join(map(_latex, table.columns)) + " \\\\", "\\hline"]
        lines += [" & ".join(map(_latex, row)) + " \\\\" for row in cells]
        return "\n".join([*lines, "\\hline", f"\\end{{{env}}}"]) + "\n"
    if fmt == "md":
        escape = lambda text: re.sub(r"\r\n?|\n", " ", text.replace("|", "\\|"))
        lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
        lines += ["| " + " | ".join(map(escape, row)) + " |" for row in cells]
        return "\n".join(lines) + "\n"
    columns = [shown(c, limit=sys.maxsize) for c in table.columns]
    cells = [[shown(v, limit=sys.maxsize) for v in row] for row in cells]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = lambda row: "  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(columns), rule, *map(line, cells)]) + f"\n({plural(len(cells), 'row')})\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value):
    """A text a spreadsheet would run as a formula, with a leading ``'``; anything else as it is."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


_LATEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
          "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _latex_column(table: Table, i: int, cells) -> str:
    """``r`` for numbers, ``l`` for short text, ``X`` (a share of the line) for long text."""
    values = [row[i] for row in table.rows if row[i] is not None]
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "r"
    longest = max([len(table.columns[i])] + [len(row[i]) for row in cells])
    return "l" if longest <= 24 else "X"


def _latex(text: str) -> str:
    """Text for a LaTeX cell: special characters escaped, line breaks and control characters
    (a blank line would end the table's paragraph) as spaces."""
    return "".join(_LATEX.get(ch, ch if ch.isprintable() else " ") for ch in text)
