"""Every non-empty cell of both seed datasets is in the graph, traced to its row."""

import csv
from collections import defaultdict

import pytest

from support import DATA, STUDIES, case_data_format

PROV = "http://www.w3.org/ns/prov#wasDerivedFrom"


def _row_contents(store, graph: str) -> dict[str, set[str]]:
    """Source row IRI -> every object (literal text or IRI) of the resources derived from it."""
    _, rows = store.select(f"""
        SELECT ?row ?o WHERE {{ GRAPH <{graph}> {{
            ?s <{PROV}> ?row . ?s ?p ?o . FILTER(?p != <{PROV}>) }} }}""")
    found = defaultdict(set)
    for row, o in rows:
        found[row.value].add(o.value)
    return found


def _represented(value: str, objects: set[str]) -> bool:
    local = value.split(":", 1)[1] if ":" in value and not value.startswith("http") else value
    return value in objects or any(o.endswith(("/" + local, "#" + local)) for o in objects)


@pytest.mark.parametrize("study", STUDIES)
def test_every_cell_is_in_the_graph(store, study):
    separators = {(t["url"], c["name"]): c.get("separator")
                  for t in case_data_format()["tables"] for c in t["tableSchema"]["columns"]}
    found = _row_contents(store, f"https://w3id.org/clkg/graph/{study}")
    cells = missing = 0
    lost = []
    for path in sorted((DATA / study).glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as f:
            for number, row in enumerate(csv.DictReader(f), start=2):
                objects = found.get(f"https://w3id.org/clkg/data/{study}/{path.name}#row={number}", set())
                for column, text in row.items():
                    if not text.strip():
                        continue
                    cells += 1
                    sep = separators[(path.name, column)]
                    values = [v.strip() for v in text.split(sep)] if sep else [text.strip()]
                    if not all(_represented(v, objects) for v in values if v):
                        missing += 1
                        lost.append(f"{path.name} row {number} column {column}: {text[:60]!r}")
    assert cells > 100, "the seed dataset should hold more than 100 non-empty cells"
    assert missing == 0, "cells not in the graph:\n" + "\n".join(lost[:20])


def test_build_counts_every_cell(built):
    """The build report's cell count equals the cells a CSV reader finds."""
    _, report = built
    for study in STUDIES:
        expected = 0
        for path in (DATA / study).glob("*.csv"):
            with open(path, newline="", encoding="utf-8") as f:
                expected += sum(1 for row in csv.DictReader(f) for v in row.values() if v and v.strip())
        assert report.cells[f"https://w3id.org/clkg/graph/{study}"] == expected
