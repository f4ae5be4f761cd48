"""Comparison tables (ORKG style), the CERQual-style summary, and the pandas API."""

import csv
import io

import pytest

import clkg
from clkg.saved_queries import run_query
from clkg.tables import pivot, render

SL_TITLE = "Social learning in cluster initiatives"
H_TITLE = "Barriers to Process Learning: Authority and Anomie in Regional Clusters"


def test_studies_side_by_side(store):
    table = pivot(run_query(store, "compare-studies"))
    assert table.columns == ["property", H_TITLE, SL_TITLE]
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["interviews"] == ("39", "35")  # Hibbert: the sum of Table 3; SL: 35 interviews
    assert rows["interview length (minutes)"] == ("90", "75")
    assert set(rows["countries"][0].split("; ")) == {"Germany", "USA", "UK"}
    assert rows["countries"][1] == "Poland"
    assert rows["authors"][0] == "Hibbert, P.; Huxham, C.; Sydow, J.; Lerch, F."  # in the paper's order
    assert rows["authors"][1] is None  # not in the text of the SL paper: unknown, not invented
    assert [row[0] for row in table.rows].index("authors") < [row[0] for row in table.rows].index("interviews")


def test_cases_side_by_side(store):
    table = pivot(run_query(store, "compare-cases"))
    assert len(table.columns) == 9  # property + 4 CIs + 4 clusters
    col = {name: i for i, name in enumerate(table.columns)}
    rows = {row[0]: row for row in table.rows}
    assert rows["founded"][col["Metal Cluster A"]] == "2008" and rows["members"][col["ICT Cluster A"]] == "200"
    assert rows["firms"][col["Scotland"]] == "90" and rows["staff"][col["West Midlands"]] is None
    assert rows["kind"][col["Southern Arizona"]] == "regional cluster"
    assert "locomotives" in rows["not observed"][col["Metal Cluster B"]]


@pytest.mark.parametrize("fmt", ["csv", "md", "html", "latex"])
def test_comparison_exports(store, fmt):
    table = pivot(run_query(store, "compare-cases"))
    text = render(table, fmt)
    if fmt == "csv":
        parsed = list(csv.reader(io.StringIO(text)))
        assert parsed[0] == table.columns and len(parsed) == len(table.rows) + 1
    elif fmt == "md":
        assert text.splitlines()[0].startswith("| property | Berlin-Brandenburg |")
    elif fmt == "html":
        assert text.startswith("<table>") and "donor &amp; recipient" in text
    else:
        # long text columns share the line (tabularx X columns), numbers are right-aligned
        assert text.startswith("\\begin{tabularx}{\\linewidth}{") and "donor \\& recipient" in text
        assert text.rstrip().endswith("\\end{tabularx}")


def test_compare_command_writes_a_file(tmp_path):
    from support import DATA, run_clkg

    store = f"oxigraph:{tmp_path / 'store'}"
    assert run_clkg("--store", store, "build", "--data", DATA, "--no-reason").returncode == 0
    out = tmp_path / "cases.tex"
    result = run_clkg("--store", store, "compare", "cases", "--format", "latex", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "Metal Cluster A" in out.read_text(encoding="utf-8")


def test_summary_of_qualitative_findings(store):
    rows = run_query(store, "summary-of-qualitative-findings").records()
    assert rows and all(r["confidence"] in ("very low", "low", "moderate") for r in rows)  # two studies: never high
    assert all(r["explanation"] for r in rows)
    trust = next(r for r in rows if r["finding"].startswith("trust development") and "trust" in r["finding"][20:])
    # both papers discuss trust with interview quotations (SL Table 5 rows 3-4; Hibbert, Anomie:
    # "[A laser company] is very, very cautious ...") but through different concepts: low, not moderate
    assert set(trust["studies"].split("; ")) == {SL_TITLE, H_TITLE}
    assert trust["quotations"] >= 5 and trust["confidence"] == "low"


def test_python_api_returns_the_same_answers_as_dataframes(store):
    frame = clkg.query("cop-migrations", store=store)
    table = run_query(store, "cop-migrations")
    assert list(frame.columns) == table.columns
    assert [tuple(None if v != v else v for v in row) for row in frame.itertuples(index=False)] == table.rows
    comparison = clkg.compare("studies", store=store)
    assert comparison.loc["interviews", SL_TITLE] == "35"
    assert set(clkg.list_queries()["name"]) >= {"barrier-matrix", "compare-cases", "summary-of-qualitative-findings"}
    from clkg.errors import UsageError

    with pytest.raises(UsageError, match="unknown query"):
        clkg.query("no-such-question", store=store)
