"""`clkg build` and `clkg export` as a researcher runs them."""

import os
import subprocess
import sys

import pyoxigraph
import pytest

from support import DATA, HIBBERT, SL, STUDIES, cli_built_store, require_java, run_clkg

ONTOLOGY = "https://w3id.org/clkg/graph/ontology"


def test_build_loads_ontology_and_both_studies(built):
    store, report = built
    studies = {f"https://w3id.org/clkg/graph/{s}" for s in STUDIES}
    assert set(report.graphs) == {ONTOLOGY, "https://w3id.org/clkg/graph/alignments", *studies,
                                  f"{ONTOLOGY}/inferred", *(f"{g}/inferred" for g in studies)}
    assert all(n > 0 for n in report.graphs.values())
    assert report.records[f"https://w3id.org/clkg/graph/{SL}"]["cases"] == 4
    assert report.records[f"https://w3id.org/clkg/graph/{HIBBERT}"]["cases"] == 4


def test_build_checks_consistency_with_hermit(built):
    require_java()
    assert built[1].consistency == "consistent, no unsatisfiable classes (HermiT)"


def test_build_twice_writes_nothing_the_second_time_unless_forced(tmp_path):
    store = tmp_path / "store"
    first = run_clkg("--store", f"oxigraph:{store}", "build", "--data", DATA, "--no-reason", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    sizes, contents = pyoxigraph_sizes(store), _contents(store)
    second = run_clkg("--store", f"oxigraph:{store}", "build", "--data", DATA, "--no-reason", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert _contents(store) == contents  # nothing rewritten
    for study in STUDIES:
        assert f"data/{study}: unchanged since it was loaded" in second.stdout.replace(str(DATA), "data")
    assert "nothing written" in second.stdout and "conforms" not in second.stdout  # not validated again

    forced = run_clkg("--store", f"oxigraph:{store}", "build", "--data", DATA, "--no-reason", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert pyoxigraph_sizes(store) == sizes
    listed = lambda out: {line.split()[0] for line in out.splitlines() if line.endswith(" triples")}
    studies = {f"https://w3id.org/clkg/graph/{s}/inferred" for s in STUDIES}
    assert {f"{ONTOLOGY}/inferred", *studies} <= listed(first.stdout)
    # the ontology (and what it entails) is rewritten only when the store holds another version
    assert studies <= listed(forced.stdout) and f"{ONTOLOGY}/inferred" not in listed(forced.stdout)


def _contents(path) -> set:
    s = pyoxigraph.Store.read_only(str(path))
    quads = set(s)
    del s
    return quads


def pyoxigraph_sizes(path) -> dict[str, int]:
    s = pyoxigraph.Store(str(path))
    sizes = {r["g"].value: int(r["n"].value) for r in s.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    del s
    return sizes


def test_default_store_is_inside_the_project_folder(tmp_path):
    (tmp_path / "data").symlink_to(DATA)
    result = run_clkg("build", "--no-reason", cwd=tmp_path, env={**os.environ, "CLKG_STORE": ""})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".clkg" / "store").is_dir()


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory):
    """A store built by the command line (without HermiT, which other tests run)."""
    return cli_built_store(tmp_path_factory.mktemp("cli") / "store")


@pytest.mark.parametrize("fmt, rdf_format", [("nq", pyoxigraph.RdfFormat.N_QUADS),
                                             ("jsonld", pyoxigraph.RdfFormat.JSON_LD),
                                             ("ttl", pyoxigraph.RdfFormat.TURTLE)])
def test_export_round_trips(cli_store, tmp_path, fmt, rdf_format):
    sizes = pyoxigraph_sizes(cli_store)
    out = tmp_path / f"graph.{fmt}"
    result = run_clkg("--store", f"oxigraph:{cli_store}", "export", "--format", fmt, "-o", out)
    assert result.returncode == 0, result.stderr
    parsed = list(pyoxigraph.parse(path=str(out), format=rdf_format))
    if fmt == "ttl":  # Turtle holds the union of the graphs: a triple in two graphs counts once
        assert 0 < len(set(parsed)) <= sum(sizes.values())
    else:
        assert len(parsed) == sum(sizes.values())
        assert {q.graph_name.value for q in parsed} == set(sizes)


def test_export_one_graph_as_turtle(cli_store, tmp_path):
    out = tmp_path / "hibbert.ttl"
    graph = f"https://w3id.org/clkg/graph/{HIBBERT}"
    result = run_clkg("--store", f"oxigraph:{cli_store}", "export", "--format", "ttl", "--graph", graph, "-o", out)
    assert result.returncode == 0, result.stderr
    assert len(list(pyoxigraph.parse(path=str(out), format=pyoxigraph.RdfFormat.TURTLE))) == \
        pyoxigraph_sizes(cli_store)[graph]


def test_help_answers_without_heavy_imports():
    code = ("import sys; from clkg.cli import parser; parser().format_help(); "
            "heavy = {'rdflib', 'pyoxigraph', 'owlready2', 'pyshacl', 'openpyxl'} & set(sys.modules); "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert out.stdout.strip() == "[]", out.stderr
    assert run_clkg("--help").returncode == 0
