"""clkg.tables: query answers as plain values, pivoted, shortened and rendered in every format."""

import csv
import io
import json
import re
from html.parser import HTMLParser

import curies
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode

from clkg.tables import FORMATS, Table, pivot, render, shortened, value

XSD = "http://www.w3.org/2001/XMLSchema#"
TRICKY = ["plain", "a, b", 'say "hi"', "two\nlines", "crlf\r\nend", "", None]


def typed(text: str, datatype: str) -> Literal:
    return Literal(text, datatype=NamedNode(XSD + datatype))


# --- value -------------------------------------------------------------------------------------

@pytest.mark.parametrize("term, expected", [
    (NamedNode("https://example.org/a"), "https://example.org/a"),
    (typed("42", "integer"), 42),
    (typed("-7", "integer"), -7),
    (typed("3", "nonNegativeInteger"), 3),
    (typed("1.50", "decimal"), 1.5),
    (typed("1e3", "double"), 1000.0),
    (typed("true", "boolean"), True),
    (typed("false", "boolean"), False),
    (typed("1", "boolean"), True),
    (typed("0", "boolean"), False),
    (Literal("text"), "text"),
    (typed("007", "string"), "007"),
    (Literal("Zusammenarbeit", language="de"), "Zusammenarbeit"),
    (BlankNode("b7"), "b7"),
    (None, None),
])
def test_value(term, expected):
    got = value(term)
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize("term", [typed("many", "integer"), typed("1,5", "decimal"), typed("yes", "boolean")])
def test_value_of_an_ill_typed_literal_is_its_text(term):
    assert value(term) == term.value


def test_from_solutions_converts_every_cell():
    table = Table.from_solutions(["n", "label"], [(typed("2", "integer"), Literal("x")), (None, BlankNode("b"))])
    assert table.rows == [(2, "x"), (None, "b")]
    assert table.records() == [{"n": 2, "label": "x"}, {"n": None, "label": "b"}]


# --- pivot -------------------------------------------------------------------------------------

def test_pivot_one_column_per_entity_properties_by_position():
    long = Table(["entity", "property", "value", "position"], [
        ("s2", "size", "10", 3),
        ("s1", "size", "20", 5),
        ("s1", "name", "One", 1),
        ("s2", "kind", "k", None),   # no position: first
        ("s2", "alpha", "a", 3),     # same position as size: by name
    ])
    wide = pivot(long)
    assert wide.columns == ["property", "s1", "s2"]
    assert wide.rows == [("kind", None, "k"), ("name", "One", None), ("alpha", None, "a"), ("size", "20", "10")]


def test_pivot_of_nothing():
    assert pivot(Table(["e", "p", "v", "pos"], [])) == Table(["property"], [])


# --- shortened ---------------------------------------------------------------------------------

def test_shortened_writes_covered_iris_as_curies_only():
    conv = curies.Converter.from_prefix_map({"ex": "https://example.org/ns/", "old": "http://example.com/"})
    table = Table(["a", "b"], [("https://example.org/ns/x", "http://example.com/y"),
                               ("https://elsewhere.org/z", "text https://example.org/ns/x"),
                               (3, None)])
    assert shortened(table, conv) == Table(["a", "b"], [("ex:x", "old:y"),
                                                       ("https://elsewhere.org/z", "text https://example.org/ns/x"),
                                                       (3, None)])


# --- render ------------------------------------------------------------------------------------

def tricky_table() -> Table:
    return Table(["text", "n", "x"], [(t, i, 1.5 if i % 2 else None) for i, t in enumerate(TRICKY)])


def test_formats_all_render():
    for fmt in FORMATS:
        out = render(tricky_table(), fmt)
        assert out.endswith("\n") and "plain" in out, fmt


def test_csv_round_trips_every_cell():
    table = tricky_table()
    out = render(table, "csv")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0] == table.columns
    assert rows[1:] == [["" if v is None else str(v) for v in row] for row in table.rows]
    assert '"a, b"' in out and '"say ""hi"""' in out


def test_json_keeps_types():
    table = Table(["s", "i", "f", "b", "none"], [("x", 3, 2.5, True, None)])
    records = json.loads(render(table, "json"))
    assert records == [{"s": "x", "i": 3, "f": 2.5, "b": True, "none": None}]
    assert type(records[0]["i"]) is int and type(records[0]["f"]) is float
    assert list(records[0]) == table.columns
    assert '"none": null' in render(table, "json")
    assert '"Łódź"' in render(Table(["s"], [("Łódź",)]), "json")   # readable, not \u escapes


def test_markdown_cells_cannot_break_the_table():
    table = Table(["a", "b"], [("x | y", "one\ntwo"), ("crlf\r\nend", "cr\rend"), (None, "")])
    lines = render(table, "md").splitlines()
    assert len(lines) == 2 + len(table.rows)   # no cell adds a line (CommonMark ends lines at \n, \r)
    assert lines[1] == "|---|---|"
    for line in lines:
        cells = re.split(r"(?<!\\)\|", line)[1:-1]   # split at pipes that are not escaped
        assert len(cells) == 2, line
    assert lines[2] == r"| x \| y | one two |"
    assert lines[3] == "| crlf end | cr end |"
    assert lines[4] == "|  |  |"


def test_latex_escapes_special_characters():
    special = r"& % $ # _ { } ~ ^ \ end"
    out = render(Table(["a_b", "c"], [(special, "x")]), "latex")
    row = out.splitlines()[4]
    assert row == (r"\& \% \$ \# \_ \{ \} \textasciitilde{} \textasciicircum{} \textbackslash{} end"
                   r" & x \\")
    assert out.splitlines()[2] == r"a\_b & c \\"
    # every special character left in the row is part of an escape or the row's own syntax
    rest = re.sub(r"\\(?:[&%$#_{}]|textasciitilde\{\}|textasciicircum\{\}|textbackslash\{\})", "", row)
    assert rest.removesuffix(r" \\").count("&") == 1   # the one column separator
    assert not set(rest.removesuffix(r" \\")) & set("%$#_{}~^\\")


def test_latex_column_types_from_content():
    out = render(Table(["name", "count", "share", "flag", "empty"],
                       [("a", 1, 0.5, True, None), ("b", None, 2.0, False, None)]), "latex")
    assert out.splitlines()[0] == r"\begin{tabular}{lrrll}"
    assert out.rstrip().endswith(r"\end{tabular}")
    assert "tabularx" not in out and r"\linewidth" not in out


def test_latex_long_text_gets_a_tabularx_column():
    long_text = "a sentence that is longer than a short label"
    out = render(Table(["name", "statement", "n"], [("a", long_text, 3)]), "latex")
    assert out.splitlines()[0] == r"\begin{tabularx}{\linewidth}{lXr}"
    assert out.rstrip().endswith(r"\end{tabularx}")
    header_only = render(Table(["a column name longer than a short label"], [("x",)]), "latex")
    assert header_only.startswith(r"\begin{tabularx}{\linewidth}{X}")


def test_latex_width_decided_on_the_text_not_its_escapes():
    assert render(Table(["a"], [("&" * 24,)]), "latex").startswith(r"\begin{tabular}{l}")
    assert render(Table(["a"], [("&" * 25,)]), "latex").startswith(r"\begin{tabularx}")


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self.tags, self._in = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("td", "th"):
            self._in = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cells.append(self._in)
            self._in = None

    def handle_data(self, data):
        if self._in is not None:
            self._in += data


def test_html_escapes_markup():
    hostile = ['<script>alert("x")</script>', "a & b", "</td></tr><tr><td>", None]
    out = render(Table(["<b>col</b>"], [(h,) for h in hostile]), "html")
    assert "<script" not in out and "<b>" not in out
    parser = _Cells()
    parser.feed(out)
    assert parser.cells == ["<b>col</b>", *("" if h is None else h for h in hostile)]
    assert set(parser.tags) == {"table", "thead", "tbody", "tr", "th", "td"}
    assert parser.tags.count("tr") == 1 + len(hostile)


def test_text_table_aligns_columns_and_counts_rows():
    table = Table(["id", "label"], [("a-long-id", "x"), ("b", None), ("c", 12)])
    lines = render(table, "table").splitlines()
    start = lines[0].index("label")
    assert lines[1] == "-" * len("a-long-id") + "  " + "-" * len("label")
    assert [line[start:] for line in lines[2:5]] == ["x", "", "12"]
    assert lines[-1] == "(3 rows)"
    assert render(Table(["id"], [("a",)]), "table").splitlines()[-1] == "(1 row)"
