"""clkg against real SPARQL 1.1 servers: Virtuoso 7 and the Oxigraph server, started for the
session on loopback (tests/conftest.py).

The seed data goes in through the command line, as a user would put it there (``clkg build`` for
the ontology and alignments, ``clkg load`` for each study); then every saved query is answered by
each server and by the embedded store built from the same data (fixture ``store``) and the answers
are compared. Without a server (``apt-get install virtuoso-opensource``; ``pip install oxigraph``)
its tests are skipped, except under CI (``CI`` set), where they fail instead.
"""

import collections
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph
import pytest

from support import DATA, HIBBERT, SL, STUDIES, run_clkg

GRAPH = "https://w3id.org/clkg/graph/"
ONTOLOGY = GRAPH + "ontology"
SERVERS = ["virtuoso", "oxigraph"]


# -- the servers, loaded with the seed data

@pytest.fixture(scope="session")
def timings(request):
    """Seconds per step (server start, writes), printed at the end of the session."""
    timings = {}
    yield timings
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if timings and reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for step, seconds in timings.items():
                reporter.write_line(f"SPARQL server timings: {step:<48} {seconds:6.2f} s")


def _seed(spec: str, empty_folder, timings: dict, name: str, options=("", "")) -> str:
    """Load the seed data into the server by the command line: ``clkg build`` over a folder without
    datasets (the ontology and alignments), then ``clkg load`` per study (with ``options`` added)."""
    started = time.perf_counter()
    built = run_clkg("--store", spec, "build", "--data", empty_folder, "--no-reason")
    assert built.returncode == 0, built.stderr
    timings[f"{name}: build (ontology, alignments)"] = time.perf_counter() - started
    for i, study in enumerate(STUDIES):
        option = options[i % len(options)]
        started = time.perf_counter()
        loaded = run_clkg("--store", spec + option, "load", DATA / study)
        assert loaded.returncode == 0, loaded.stderr
        timings[f"{name}: load {study}"] = time.perf_counter() - started
    return spec


@pytest.fixture(scope="session")
def sparql(virtuoso_server, tmp_path_factory, timings):
    """The spec of the Virtuoso store, loaded with what the embedded ``store`` holds; all through
    Virtuoso's Graph Store endpoint, which clkg finds by itself, and is told for the last study."""
    timings["virtuoso: start"] = virtuoso_server.started_in
    return _seed(f"sparql:{virtuoso_server.sparql}", tmp_path_factory.mktemp("no-datasets"), timings,
                 "virtuoso", ("", "#gsp=/sparql-graph-crud"))


@pytest.fixture(scope="session")
def oxigraph_sparql(oxigraph_server, tmp_path_factory, timings):
    """The spec of the Oxigraph server's store, loaded with what the embedded ``store`` holds."""
    timings["oxigraph: start"] = oxigraph_server.started_in
    return _seed(oxigraph_server.spec, tmp_path_factory.mktemp("no-datasets"), timings, "oxigraph")


@pytest.fixture(params=SERVERS)
def served(request):
    """(server name, spec) of each server, loaded with the seed data."""
    return request.param, request.getfixturevalue("sparql" if request.param == "virtuoso" else "oxigraph_sparql")


@pytest.fixture
def remote(served):
    from clkg.store import open_store
    return open_store(served[1])


@pytest.fixture(scope="session")
def source():
    """{graph: quads} as clkg writes them (the embedded store is no reference for literals: it
    stores "60"^^xsd:nonNegativeInteger as "60"^^xsd:integer)."""
    from clkg.loaders import read_dataset
    from clkg.pipeline import dataset_graphs, shipped_graphs
    from clkg.vocabulary import prefixes

    graphs = shipped_graphs()
    graphs.update(dataset_graphs([read_dataset(DATA / study, prefixes=prefixes()) for study in STUDIES]))
    return graphs


@pytest.fixture
def written(served, remote, source, store):
    """{graph: quads} as the server should hold them: on Virtuoso, what clkg writes (``source``); on
    the Oxigraph server, what the embedded store holds, since Oxigraph (served or embedded) stores
    some literals canonically ("60"^^xsd:nonNegativeInteger as "60"^^xsd:integer); each study graph
    with the fingerprint the server's own load recorded."""
    graphs = source if served[0] == "virtuoso" else _by_graph(_quads(store, list(source)))
    return _as_loaded(graphs, remote)


def _as_loaded(graphs: dict, store) -> dict:
    """``graphs`` with each study graph's fingerprint as ``store`` records it (clkg.fingerprint: it
    depends on what the store held when the study was loaded, so it differs from store to store)."""
    from clkg.fingerprint import recorded
    from clkg.namespaces import HAS_VERSION

    stamped = dict(graphs)
    for graph, fingerprint in recorded(store).items():
        if graph in stamped:
            node = pyoxigraph.NamedNode(graph)
            stamped[graph] = [q for q in stamped[graph] if not (q.subject == node and q.predicate.value == HAS_VERSION)]
            stamped[graph].append(pyoxigraph.Quad(node, pyoxigraph.NamedNode(HAS_VERSION),
                                                  pyoxigraph.Literal(fingerprint), node))
    return stamped


def test_graphs_are_those_of_the_embedded_store(remote, store, source):
    assert remote.graph_sizes() == store.graph_sizes() == {g: len(q) for g, q in _as_loaded(source, remote).items()}


# -- every saved query, on both stores

def _saved_queries():
    from clkg.saved_queries import saved_queries
    return saved_queries()


def _example(param) -> str:
    """A real value for a parameter: the example its description gives."""
    if param.kind == "integer":
        return "3"
    match = re.search(r"e\.g\.\s*([^\s,;)]+)", param.description) or \
        re.search(r"\b([a-z]+:[\w/.-]*\w)", param.description)
    assert match, f"parameter {param.name}: its description gives no example value to test with"
    return match[1]


def _cases():
    for name, query in sorted(_saved_queries().items()):
        required = {p.name: _example(p) for p in query.params.values() if p.required}
        every = {p.name: _example(p) for p in query.params.values()}
        yield pytest.param(name, required, id=name)
        if every != required:
            yield pytest.param(name, every, id=f"{name}[{','.join(every)}]")


# Queries whose answers differ on Virtuoso 7.2.5 for a reason on Virtuoso's side (see the report
# of the SPARQL store work); the query files are not changed here. Not strict: a rewritten query
# that agrees shows up as XPASS.
def _separators(text: str) -> list[str]:
    return re.findall(r'separator\s*=\s*"([^"]*)"', text) + [": "]


def _normalise(value, separators):
    """A cell for comparison: numbers as numbers; text split at the GROUP_CONCAT separators and
    sorted, since SPARQL leaves the order of a GROUP_CONCAT open. An empty text counts as no value:
    Virtuoso answers "" for a GROUP_CONCAT over nothing, where pyoxigraph leaves it unbound."""
    if value == "":
        value = None
    if value is None or isinstance(value, bool):
        return ("boolean", value)  # not equal to 0 or 1
    if isinstance(value, (int, float)):
        return round(float(value), 9)
    parts = [value]
    for sep in separators:
        parts = [piece for part in parts for piece in part.split(sep)]
    return tuple(sorted(parts)) if len(parts) > 1 else value


def _order_keys(text: str, columns: list[str]) -> list[str]:
    """The leading keys of the outermost ORDER BY that are projected variables."""
    body = re.sub(r"#[^\n]*", "", text)
    at = body.upper().rfind("ORDER BY")
    if at < body.rfind("}"):
        return []
    keys = []
    for match in re.finditer(r"(?:ASC|DESC)?\(\s*\?(\w+)\s*\)|\?(\w+)|\S+", body[at + 8:], re.I):
        name = match[1] or match[2]
        if not name or name not in columns:
            break
        keys.append(name)
    return keys


@pytest.fixture(params=[*SERVERS, *(f"{server}, dataset=server" for server in SERVERS)])
def answering(request):
    """A store of each server, naming clkg's graphs in each request or reading the server's
    default graph (dataset=server)."""
    from clkg.store import open_store

    spec = request.getfixturevalue("sparql" if request.param.startswith("virtuoso") else "oxigraph_sparql")
    if request.param.endswith("dataset=server"):
        spec += ("&" if "#" in spec else "#") + "dataset=server"
    return open_store(spec)


#: (saved query, server) whose answers on the seed data differ from the embedded store's, for a
#: reason on the server's side not yet explained (README, "Using a SPARQL server"); strict: a case
#: that starts to agree fails here, so that this list stays true
DIFFERS = {("coordinators-and-central-actors", "virtuoso, dataset=server"),
           ("summary-of-qualitative-findings", "virtuoso, dataset=server")}


@pytest.mark.parametrize("name, params", list(_cases()))
def test_saved_query_answers_match_the_embedded_store(name, params, answering, store, request):
    from clkg.saved_queries import run_query

    server = request.node.callspec.params["answering"]
    if (name, server) in DIFFERS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{name} differs on {server}"))

    remote = answering
    text = _saved_queries()[name].text
    embedded, served = run_query(store, name, params), run_query(remote, name, params)
    if params:
        assert embedded.rows, f"{name} with {params} answers nothing on the embedded store: pick a real value"
    assert served.columns == embedded.columns
    seps = _separators(text)
    rows = lambda table: collections.Counter(tuple(_normalise(v, seps) for v in row) for row in table.rows)
    assert rows(served) == rows(embedded)
    keys = _order_keys(text, embedded.columns)
    if keys:
        order = lambda table: [tuple(_normalise(r[k], seps) for k in keys) for r in table.records()]
        assert order(served) == order(embedded), f"ORDER BY {keys}"


# -- loading, exporting, binding, errors

def _sizes(spec):
    from clkg.store import open_store
    return open_store(spec).graph_sizes()


def _server_graphs(spec: str, prefix: str) -> list[str]:
    """The graphs on the server whose IRI starts with ``prefix``, asked for without clkg."""
    url = spec.removeprefix("sparql:").partition("#")[0]
    query = f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}'
    request = urllib.request.Request(url, data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request) as response:
        answer = pyoxigraph.parse_query_results(response.read(), format=pyoxigraph.QueryResultsFormat.JSON)
    return [solution["g"].value for solution in answer]


def _staging_graphs(spec):
    return _server_graphs(spec, "urn:clkg:staging:")


def test_second_load_replaces_the_graph(served, timings):
    name, spec = served
    before = _sizes(spec)
    started = time.perf_counter()
    again = run_clkg("--store", spec, "load", DATA / HIBBERT)
    timings[f"{name}: reload {HIBBERT}"] = time.perf_counter() - started
    assert again.returncode == 0, again.stderr
    assert _sizes(spec) == before
    assert not _staging_graphs(spec)


def test_sparql_update_writes_what_gsp_writes(sparql, source, timings):
    """Writing to Virtuoso with SPARQL Update alone (gsp=none): staged in chunks, blank nodes kept.
    Virtuoso 7 changes one thing: an xsd:decimal with a whole value comes back as an xsd:integer."""
    from clkg.store import open_store

    remote = open_store(sparql)
    graphs = [ONTOLOGY, GRAPH + HIBBERT]
    try:
        started = time.perf_counter()
        result = run_clkg("--store", f"{sparql}#gsp=none", "load", "--force", DATA / HIBBERT)  # written again
        timings[f"virtuoso: load {HIBBERT} with SPARQL Update"] = time.perf_counter() - started
        assert result.returncode == 0, result.stderr
        # the ontology: blank nodes (OWL axioms), written through the Python API
        open_store(f"{sparql}#gsp=none").replace_graphs({ONTOLOGY: source[ONTOLOGY]})
        assert remote.graph_sizes() == {g: len(q) for g, q in _as_loaded(source, remote).items()}
        assert not _staging_graphs(sparql)
        served = _by_graph(_quads(remote, graphs))
        assert _isomorphic(served[ONTOLOGY], source[ONTOLOGY])
        triples = lambda quads: {(q.subject, q.predicate, q.object) for q in quads}
        changed = triples(source[GRAPH + HIBBERT]) - triples(served[GRAPH + HIBBERT])
        assert all(o.datatype.value.endswith("#decimal") and "." not in o.value for _, _, o in changed), changed
    finally:  # put back, through the Graph Store endpoint, what the other tests expect
        assert run_clkg("--store", sparql, "load", "--force", DATA / HIBBERT).returncode == 0
        remote.replace_graphs({ONTOLOGY: source[ONTOLOGY]})


def _quads(store, graphs):
    import io

    out = []
    for graph in graphs:
        buffer = io.BytesIO()
        store.dump(buffer, format="nq", graph=graph)
        out += [pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.NamedNode(graph))
                for t in pyoxigraph.parse(buffer.getvalue(), format=pyoxigraph.RdfFormat.N_QUADS)]
    return out


def _by_graph(quads):
    graphs = collections.defaultdict(list)
    for q in quads:
        graphs[q.graph_name.value].append(q)
    return graphs


def _isomorphic(a, b) -> bool:
    import rdflib
    from rdflib.compare import isomorphic

    def graph(quads):
        g = rdflib.Graph()
        g.parse(data=pyoxigraph.serialize([pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads],
                                          format=pyoxigraph.RdfFormat.N_TRIPLES).decode(), format="nt")
        return g
    return isomorphic(graph(a), graph(b))


def test_export_from_the_server_round_trips(served, written, tmp_path, timings):
    name, spec = served
    out = tmp_path / "served.nq"
    started = time.perf_counter()
    result = run_clkg("--store", spec, "export", "--format", "nq", "-o", out)
    timings[f"{name}: export nq"] = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    exported = _by_graph(pyoxigraph.parse(path=str(out), format=pyoxigraph.RdfFormat.N_QUADS))
    assert {g: len(q) for g, q in exported.items()} == {g: len(q) for g, q in written.items()}
    for graph in written:  # the very triples clkg wrote: datatypes, language tags, blank nodes
        assert _isomorphic(exported[graph], written[graph]), graph


@pytest.mark.parametrize("fmt, rdf_format", [("ttl", pyoxigraph.RdfFormat.TURTLE),
                                             ("jsonld", pyoxigraph.RdfFormat.JSON_LD)])
def test_export_other_formats(served, store, tmp_path, fmt, rdf_format):
    spec = served[1]
    out = tmp_path / f"graph.{fmt}"
    result = run_clkg("--store", spec, "export", "--format", fmt, "-o", out)
    assert result.returncode == 0, result.stderr
    parsed = list(pyoxigraph.parse(path=str(out), format=rdf_format))
    assert len(parsed) == sum(store.graph_sizes().values())
    one = tmp_path / f"hibbert.{fmt}"
    result = run_clkg("--store", spec, "export", "--format", fmt, "--graph", GRAPH + HIBBERT, "-o", one)
    assert result.returncode == 0, result.stderr
    assert len(list(pyoxigraph.parse(path=str(one), format=rdf_format))) == store.graph_sizes()[GRAPH + HIBBERT]


INJECTIONS = [
    'hibbert-2010" } UNION { ?x ?y ?z } #',
    "hibbert-2010\" ) } } SELECT * WHERE { ?s ?p ?o } #",
    'hibbert-2010\\" } UNION { ?x ?y ?z } #',
    "hibbert-2010\\u0022 } UNION { ?x ?y ?z } #",
    "hibbert-2010\n} UNION { ?x ?y ?z }",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_an_injected_parameter_matches_nothing(served, value):
    result = run_clkg("--store", served[1], "query", "readings", "--param", f"study={value}", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_an_injected_term_is_one_term(remote):
    from pyoxigraph import BlankNode, Literal, Variable

    from clkg.errors import UsageError

    query = "SELECT ?o WHERE { ?s <http://purl.org/dc/terms/identifier> ?o }"
    _, rows = remote.select(query, substitutions={Variable("o"): Literal('x" } UNION { ?s ?p ?o } #')})
    assert rows == []
    _, rows = remote.select(query, substitutions={Variable("o"): Literal(HIBBERT)})
    assert [r[0].value for r in rows] == [HIBBERT]
    with pytest.raises(UsageError, match="only an IRI"):
        remote.select(query, substitutions={Variable("s"): BlankNode()})


def test_typed_literals_and_language_tags_survive(remote, written):
    _, rows = remote.select("SELECT ?o WHERE { ?s ?p ?o FILTER(isLITERAL(?o)) }")
    kinds = collections.Counter((r[0].datatype.value, r[0].language) for r in rows)
    assert kinds == collections.Counter((q.object.datatype.value, q.object.language) for quads in written.values()
                                        for q in quads if isinstance(q.object, pyoxigraph.Literal))


def test_a_failed_write_leaves_the_store_unchanged(served):
    from clkg.store import open_store

    store = open_store(served[1])
    before = store.graph_sizes()

    def failing():
        yield from []
        raise OSError("the disk is on fire")

    quads = [pyoxigraph.Quad(pyoxigraph.NamedNode("https://example.org/a"), pyoxigraph.NamedNode("https://example.org/b"),
                             pyoxigraph.Literal("c"), pyoxigraph.NamedNode(GRAPH + HIBBERT))]
    with pytest.raises(OSError, match="on fire"):
        store.replace_graphs({GRAPH + HIBBERT: quads, GRAPH + SL: failing()})
    assert store.graph_sizes() == before
    assert not _staging_graphs(served[1])


def test_a_store_of_many_graphs_answers(served):
    """Virtuoso echoes every graph clkg names in a query as a response header: 120 graphs are
    240 headers, past http.client's default limit of 100."""
    from clkg.store import open_store

    store = open_store(served[1])
    p = pyoxigraph.NamedNode("https://example.org/p")
    extra = {f"{GRAPH}many-{i}": [pyoxigraph.Quad(pyoxigraph.NamedNode(f"https://example.org/s{i}"), p,
                                                  pyoxigraph.Literal(str(i)), pyoxigraph.NamedNode(f"{GRAPH}many-{i}"))]
             for i in range(120)}
    store.replace_graphs(extra)
    try:
        _, rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s <https://example.org/p> ?o }")
        assert int(rows[0][0].value) == 120
    finally:
        store.replace_graphs({graph: [] for graph in extra})  # an empty graph is no graph
    assert not any("many-" in g for g in store.graph_sizes())


def test_a_request_the_server_refuses_is_a_clear_error(sparql):
    """Virtuoso refuses an INSERT DATA of a couple of thousand triples: the write fails, nothing changes."""
    from clkg.errors import StoreError
    from clkg.store import open_store

    store = open_store(f"{sparql}#gsp=none&chunk=100000")
    before = store.graph_sizes()
    many = [pyoxigraph.Quad(pyoxigraph.NamedNode(f"https://example.org/s{i}"), pyoxigraph.NamedNode("https://example.org/p"),
                            pyoxigraph.NamedNode(f"https://example.org/o{i}"), pyoxigraph.NamedNode(GRAPH + HIBBERT))
            for i in range(5000)]
    with pytest.raises(StoreError, match="refused the update"):
        store.replace_graphs({GRAPH + HIBBERT: many})
    assert store.graph_sizes() == before
    assert not _staging_graphs(sparql)


@pytest.mark.parametrize("options", ["", "#gsp=none"])
def test_without_update_rights_the_error_says_what_to_grant(virtuoso_server, sparql, options):
    before = _sizes(sparql)
    virtuoso_server.isql('REVOKE SPARQL_UPDATE FROM "SPARQL"')
    try:
        result = run_clkg("--store", sparql + options, "load", "--force", DATA / HIBBERT)  # a write, not a no-op
    finally:
        virtuoso_server.isql('GRANT SPARQL_UPDATE TO "SPARQL"')
    assert result.returncode == 3  # the store cannot be written
    assert "GRANT SPARQL_UPDATE" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert _sizes(sparql) == before
    assert not _staging_graphs(sparql)


def test_dataset_server_on_a_server_without_a_union_default_graph_is_a_clear_error(oxigraph_server, tmp_path):
    # (oxigraph_server: skipped, or failed under CI, where the Oxigraph server is not installed)
    """dataset=server reads the server's default graph: on a plain ``oxigraph serve`` that is empty,
    and every answer would be empty; clkg says so instead."""
    import oxigraph_server as serve

    plain = serve.start(tmp_path / "plain", union=False)
    try:
        loaded = run_clkg("--store", plain.spec, "load", DATA / HIBBERT)
        assert loaded.returncode == 0, loaded.stderr
        result = run_clkg("--store", plain.spec + "&dataset=server", "query", "barrier-matrix", cwd=tmp_path)
        assert result.returncode == 3, result.stderr
        assert "default graph is empty" in result.stderr and "--union-default-graph" in result.stderr
        assert "Traceback" not in result.stderr
        assert run_clkg("--store", plain.spec, "query", "barrier-matrix", cwd=tmp_path).stdout.count("\n") > 1
    finally:
        plain.stop()


# -- a sort that Virtuoso cannot do: rows of more than about 4 KB (SR319)

EX = "https://example.org/"
LONG_LISTS = f"""PREFIX ex: <{EX}>
SELECT ?group ?n ?titles WHERE {{
  {{ SELECT ?g (COUNT(?r) AS ?n) (GROUP_CONCAT(?title; separator="; ") AS ?titles)
     WHERE {{ ?r ex:group ?g ; ex:title ?title }} GROUP BY ?g }}
  OPTIONAL {{ ?g ex:label ?group }}
}}
ORDER BY DESC(?n) ?group  # ORDER BY ?titles
"""
#: the key is not projected, as in summary-of-qualitative-findings: the store projects it to sort
LONG_LISTS_BY_LABEL = LONG_LISTS.replace("SELECT ?group ?n", "SELECT ?n").replace(
    "ORDER BY DESC(?n) ?group", 'ORDER BY STR(?group) # "a comment with ORDER BY"')


@pytest.fixture
def long_lists(sparql, tmp_path):
    """Groups of 90-130 resources, one without a label, whose lists of titles (5-8 KB) Virtuoso 7.2
    cannot sort; written to Virtuoso and to an embedded store. (spec, embedded store)"""
    from clkg.store import open_store

    graph = GRAPH + "long-lists"
    node, text = pyoxigraph.NamedNode, pyoxigraph.Literal
    quads = []
    for g, size in enumerate([100, 130, 90, 110]):
        group = node(f"{EX}group{g}")
        if g != 3:
            quads.append(pyoxigraph.Quad(group, node(EX + "label"), text(f"group {'cab'[g]}"), node(graph)))
        for i in range(size):
            r = node(f"{EX}r{g}-{i}")
            quads += [pyoxigraph.Quad(r, node(EX + "group"), group, node(graph)),
                      pyoxigraph.Quad(r, node(EX + "title"), text(f"The title of resource number {i:03d} of group {g} in the data"), node(graph))]
    embedded = open_store(f"oxigraph:{tmp_path / 'embedded'}")
    embedded.replace_graphs({graph: quads})
    open_store(sparql).replace_graphs({graph: quads})
    try:
        yield sparql, embedded
    finally:
        open_store(sparql).replace_graphs({graph: []})
        embedded.close()


@pytest.mark.parametrize("query", [LONG_LISTS, LONG_LISTS_BY_LABEL], ids=["projected-keys", "key-not-projected"])
@pytest.mark.parametrize("options", ["", "#dataset=server"])
def test_rows_virtuoso_cannot_sort_are_sorted_by_the_store(long_lists, query, options):
    """Virtuoso refuses to sort rows with a text of more than about 4 KB (SR319, a limit compiled
    in); the store asks again without the final ORDER BY and sorts the rows itself: the same rows in
    the same order as the embedded store's."""
    from clkg.store import open_store

    spec, embedded = long_lists
    url = spec.removeprefix("sparql:").partition("#")[0]
    raw = urllib.request.Request(url, data=urllib.parse.urlencode({"query": query}).encode(),
                                 headers={"Accept": "application/sparql-results+json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(raw)
    assert "SR319" in refused.value.read().decode()

    columns, rows = open_store(spec + options).select(query)
    expected_columns, expected = embedded.select(query)
    assert columns == expected_columns
    titles = columns.index("titles")
    cells = lambda row: [sorted(t.value.split("; ")) if i == titles else t for i, t in enumerate(row)]
    assert [cells(row) for row in rows] == [cells(row) for row in expected]
    assert len(rows) == 4 and min(len(row[titles].value) for row in rows) > 4000


# -- without a server

def test_an_unreachable_endpoint_is_a_clear_error(tmp_path):
    result = run_clkg("--store", "sparql:http://127.0.0.1:9/sparql", "query", "barrier-matrix", cwd=tmp_path)
    assert result.returncode == 3  # the store cannot be used
    assert result.stderr.startswith("error: cannot reach the SPARQL endpoint http://127.0.0.1:9/sparql")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("spec", ["sparql:", "sparql:ftp://host/sparql", "sparql:localhost:8890/sparql",
                                  "sparql:http://host/sparql#graph=x", "sparql:http://host/sparql#chunk=0",
                                  "sparql:http://host/sparql#dataset=all"])
def test_a_malformed_spec_is_a_clear_error(spec, tmp_path):
    result = run_clkg("--store", spec, "query", "barrier-matrix", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_spec_options_resolve_against_the_query_url():
    from clkg.store import open_store

    fuseki = open_store("sparql:http://h:3030/ds/query#update=update&gsp=data")
    assert (fuseki.url, fuseki.update_url, fuseki.gsp_url) == \
        ("http://h:3030/ds/query", "http://h:3030/ds/update", "http://h:3030/ds/data")
    plain = open_store("sparql:https://h/sparql?timeout=5")
    assert (plain.url, plain.update_url, plain.gsp_url, plain.chunk) == \
        ("https://h/sparql?timeout=5", "https://h/sparql?timeout=5", None, 500)
