"""The store contract (clkg.store.Store), on every backend the tests can start: the embedded store
(a fresh folder per test), Virtuoso and the Oxigraph server (one each per session, shared with
tests/test_sparql_store.py: every test here writes graphs of its own and empties them after).
"""

import io
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

import pyoxigraph
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple, Variable

from clkg.errors import StoreError, StoreMissing, UsageError
from clkg.store import open_store

GRAPH = "https://w3id.org/clkg/graph/"
XSD = "http://www.w3.org/2001/XMLSchema#"
BACKENDS = ["embedded", "virtuoso", "oxigraph-server"]
SERVERS = BACKENDS[1:]


@dataclass
class Backend:
    name: str
    spec: str
    update_url: str | None  # the server's SPARQL Update endpoint, to write data clkg does not own


def _backend(request, name, tmp_path) -> Backend:
    if name == "embedded":
        return Backend(name, f"oxigraph:{tmp_path / 'store'}", None)
    if name == "virtuoso":
        server = request.getfixturevalue("virtuoso_server")
        return Backend(name, f"sparql:{server.sparql}", server.sparql)
    server = request.getfixturevalue("oxigraph_server")
    return Backend(name, server.spec, server.query.removesuffix("/query") + "/update")


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    return _backend(request, request.param, tmp_path)


@pytest.fixture(params=SERVERS)
def server(request, tmp_path):
    return _backend(request, request.param, tmp_path)


class Names:
    """IRIs of this test's own: graphs (in clkg's scope) and terms (so no other data matches)."""

    def __init__(self):
        token = uuid.uuid4().hex[:10]
        self.graphs = [f"{GRAPH}contract-{token}-{i}" for i in range(3)]
        self.base = f"https://example.org/{token}/"
        self.p = NamedNode(self.base + "p")

    def term(self, name: str) -> NamedNode:
        return NamedNode(self.base + name)

    def quad(self, subject: str, value, graph: int = 0) -> Quad:
        obj = value if isinstance(value, (Literal, NamedNode, BlankNode)) else Literal(str(value))
        return Quad(self.term(subject), self.p, obj, NamedNode(self.graphs[graph]))


@pytest.fixture
def names(backend):
    names = Names()
    yield names
    with open_store(backend.spec) as store:  # an emptied graph is no graph
        store.replace_graphs({graph: [] for graph in names.graphs})


@pytest.fixture
def store(backend, names):
    with open_store(backend.spec) as store:
        yield store


def _mine(sizes: dict, names: Names) -> dict:
    return {g: n for g, n in sizes.items() if g in names.graphs}


def _values(store, names: Names, query: str = "SELECT ?s ?o WHERE { ?s ?p ?o }", **kwargs) -> set:
    """The answer to a query over this test's predicate, as a set of rows of N-Triples terms."""
    _, rows = store.select(query.replace("?p", f"<{names.p.value}>"), **kwargs)
    return {tuple(None if t is None else str(t) for t in row) for row in rows}


# -- graphs

def test_graph_sizes_count_the_graphs_written(store, names):
    before = store.graph_sizes()
    store.replace_graphs({names.graphs[0]: [names.quad("a", 1), names.quad("b", 2)],
                          names.graphs[1]: [names.quad("c", 3)]})
    after = store.graph_sizes()
    assert _mine(after, names) == {names.graphs[0]: 2, names.graphs[1]: 1}
    assert {g: n for g, n in after.items() if g not in names.graphs} == \
        {g: n for g, n in before.items() if g not in names.graphs}


def test_the_default_graph_is_the_union_of_clkgs_graphs(store, names):
    store.replace_graphs({names.graphs[0]: [names.quad("a", "one")], names.graphs[1]: [names.quad("b", "two")]})
    assert _values(store, names) == {(f"<{names.base}a>", '"one"'), (f"<{names.base}b>", '"two"')}
    _, rows = store.select(f"SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?s <{names.p.value}> ?o }} }}")
    assert {(g.value, s.value) for g, s in rows} == {(names.graphs[0], names.base + "a"),
                                                      (names.graphs[1], names.base + "b")}


def test_replacing_a_graph_leaves_the_others_alone(store, names):
    store.replace_graphs({names.graphs[0]: [names.quad("a", "old")], names.graphs[1]: [names.quad("b", "kept")]})
    store.replace_graphs({names.graphs[0]: [names.quad("a", "new"), names.quad("a2", "new")]})
    assert _values(store, names) == {(f"<{names.base}a>", '"new"'), (f"<{names.base}a2>", '"new"'),
                                     (f"<{names.base}b>", '"kept"')}
    assert _mine(store.graph_sizes(), names) == {names.graphs[0]: 2, names.graphs[1]: 1}


@pytest.mark.parametrize("existing", [False, True], ids=["new graphs", "existing graphs"])
def test_a_failing_write_leaves_the_store_as_it_was(store, names, existing):
    if existing:
        store.replace_graphs({names.graphs[0]: [names.quad("a", "old")], names.graphs[1]: [names.quad("b", "old")]})
    before, values = store.graph_sizes(), _values(store, names)

    def failing():
        yield names.quad("b", "half")
        raise OSError("the disk is on fire")

    with pytest.raises(OSError, match="on fire"):
        store.replace_graphs({names.graphs[0]: [names.quad("a", "new")], names.graphs[1]: failing()})
    assert store.graph_sizes() == before
    assert _values(store, names) == values


def test_graphs_outside_clkgs_scope_are_refused(store, names):
    before = store.graph_sizes()
    for graph in ("https://example.org/graph", GRAPH, "urn:clkg:staging:x"):
        with pytest.raises(UsageError, match="not one of clkg's graphs"):
            store.replace_graphs({graph: [names.quad("a", 1)]})
        with pytest.raises(UsageError, match="not one of clkg's graphs"):
            store.dump(io.BytesIO(), format="nq", graph=graph)
    assert store.graph_sizes() == before


def _raw_update(url: str, text: str) -> None:
    request = urllib.request.Request(url, data=urllib.parse.urlencode({"update": text}).encode())
    with urllib.request.urlopen(request) as response:
        response.read()


def test_other_data_on_a_server_is_never_seen(server):
    """A graph outside clkg's scope (and, on the Oxigraph server, its default graph; Virtuoso has
    none of its own to write to) holds triples with this test's predicate: no query, count or
    export of clkg's store shows them."""
    names = Names()
    other = names.base + "other-graph"
    stmt = f"<{names.base}x> <{names.p.value}> \"foreign\""
    writes = [f"INSERT DATA {{ GRAPH <{other}> {{ {stmt} }} }}"]
    if server.name == "oxigraph-server":
        writes.append(f"INSERT DATA {{ {stmt} }}")
    _raw_update(server.update_url, " ;\n".join(writes))
    try:
        with open_store(server.spec) as store:
            store.replace_graphs({names.graphs[0]: [names.quad("a", "mine")]})
            try:
                assert _values(store, names) == {(f"<{names.base}a>", '"mine"')}
                assert other not in store.graph_sizes()
                assert not store.query('ASK { GRAPH ?g { ?s ?p "foreign" } }')
                out = io.BytesIO()
                store.dump(out, format="nq")
                assert b"foreign" not in out.getvalue() and b'"mine"' in out.getvalue()
            finally:
                store.replace_graphs({names.graphs[0]: []})
    finally:
        _raw_update(server.update_url, " ;\n".join(w.replace("INSERT DATA", "DELETE DATA") for w in writes))


def _client_term(binding: dict):
    """A term of a SPARQL JSON results binding as read by SPARQLWrapper, as a pyoxigraph term."""
    if binding["type"] == "uri":
        return NamedNode(binding["value"])
    datatype = binding.get("datatype")
    return Literal(binding["value"], language=binding.get("xml:lang"),
                   datatype=NamedNode(datatype) if datatype else None)


def test_a_third_party_client_reads_what_clkg_reads(server):
    """SPARQLWrapper, talking to the server as any other client would, gets the same answer as
    clkg's store to the same query over the graph clkg wrote."""
    from SPARQLWrapper import JSON, SPARQLWrapper

    names = Names()
    values = [Literal("eins", language="de"), Literal("2.5", datatype=NamedNode(XSD + "decimal")),
              Literal('quote " — 😀'), names.term("iri")]
    query = f"SELECT ?s ?o WHERE {{ GRAPH <{names.graphs[0]}> {{ ?s <{names.p.value}> ?o }} }}"
    with open_store(server.spec) as store:
        store.replace_graphs({names.graphs[0]: [names.quad(f"s{i}", v) for i, v in enumerate(values)]})
        try:
            _, rows = store.select(query)
            client = SPARQLWrapper(server.spec.removeprefix("sparql:").partition("#")[0])
            client.setQuery(query)
            client.setReturnFormat(JSON)
            bindings = client.queryAndConvert()["results"]["bindings"]
        finally:
            store.replace_graphs({names.graphs[0]: []})
    assert len(rows) == len(values)
    assert {(_client_term(b["s"]), _client_term(b["o"])) for b in bindings} == set(rows)


# -- queries

def test_each_query_form_answers_with_pyoxigraph_objects(store, names):
    store.replace_graphs({names.graphs[0]: [names.quad("a", "one"), names.quad("b", names.term("a"))]})
    solutions = store.query(f"SELECT ?s ?o WHERE {{ ?s <{names.p.value}> ?o }}")
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    assert [v.value for v in solutions.variables] == ["s", "o"]
    assert len(list(solutions)) == 2
    yes = store.query(f'ASK {{ ?s <{names.p.value}> "one" }}')
    no = store.query(f'ASK {{ ?s <{names.p.value}> "three" }}')
    assert isinstance(yes, pyoxigraph.QueryBoolean) and bool(yes) and not bool(no)
    built = list(store.query(f"CONSTRUCT {{ ?s <{names.base}q> ?o }} WHERE {{ ?s <{names.p.value}> ?o }}"))
    assert all(isinstance(t, Triple) for t in built)
    assert set(built) == {Triple(names.term("a"), names.term("q"), Literal("one")),
                          Triple(names.term("b"), names.term("q"), names.term("a"))}
    described = list(store.query(f"DESCRIBE <{names.base}b>"))
    assert Triple(names.term("b"), names.p, names.term("a")) in described


def test_select_gives_columns_in_order_and_none_where_unbound(store, names):
    store.replace_graphs({names.graphs[0]: [names.quad("a", "one"), Quad(names.term("a"), names.term("q"),
                                                                          Literal("extra"), NamedNode(names.graphs[0])),
                                            names.quad("b", "two")]})
    columns, rows = store.select(f"SELECT ?o ?s ?x WHERE {{ ?s <{names.p.value}> ?o "
                                 f"OPTIONAL {{ ?s <{names.base}q> ?x }} }} ORDER BY ?o")
    assert columns == ["o", "s", "x"]
    assert rows == [(Literal("one"), names.term("a"), Literal("extra")), (Literal("two"), names.term("b"), None)]
    with pytest.raises(UsageError, match="select takes a SELECT"):
        store.select("ASK { ?s ?p ?o }")


def test_terms_come_back_as_they_were_written(store, names):
    values = [Literal("plain"), Literal("Polska", language="pl"), Literal("2.5", datatype=NamedNode(XSD + "decimal")),
              Literal("42", datatype=NamedNode(XSD + "integer")), Literal("true", datatype=NamedNode(XSD + "boolean")),
              Literal("2016-06-30", datatype=NamedNode(XSD + "date")),
              Literal("x", datatype=NamedNode(names.base + "own-type")),
              Literal('quote " backslash \\ newline \n tab \t — 😀'), names.term("iri")]
    quads = [names.quad(f"s{i}", value) for i, value in enumerate(values)]
    node = BlankNode()
    quads += [Quad(names.term("t"), names.p, node, NamedNode(names.graphs[0])),
              Quad(node, names.p, Literal("inside"), NamedNode(names.graphs[0]))]
    store.replace_graphs({names.graphs[0]: quads})
    _, rows = store.select(f"SELECT ?s ?o WHERE {{ ?s <{names.p.value}> ?o FILTER(!isBLANK(?s) && !isBLANK(?o)) }}")
    assert {o for s, o in rows} == set(values)
    _, rows = store.select(f"SELECT ?b ?o WHERE {{ <{names.base}t> <{names.p.value}> ?b . ?b <{names.p.value}> ?o }}")
    assert len(rows) == 1 and isinstance(rows[0][0], BlankNode) and rows[0][1] == Literal("inside")


def test_substitutions_bind_values_of_any_query_form(store, names):
    store.replace_graphs({names.graphs[0]: [names.quad("a", Literal("eins", language="de")), names.quad("b", "two")]})
    query = f"SELECT ?s ?o WHERE {{ ?s <{names.p.value}> ?o }}"
    assert _values(store, names, query, substitutions={Variable("o"): Literal("eins", language="de")}) == \
        {(f"<{names.base}a>", '"eins"@de')}
    assert _values(store, names, query, substitutions={Variable("s"): names.term("b")}) == {(f"<{names.base}b>", '"two"')}
    assert _values(store, names, query, substitutions={Variable("o"): Literal("eins")}) == set()  # no language tag
    assert _values(store, names, query, substitutions={Variable("o"): Literal('two" } UNION { ?s ?p ?o } #')}) == set()
    ask = f"ASK {{ ?s <{names.p.value}> ?o }}"
    assert bool(store.query(ask, substitutions={Variable("s"): names.term("a")}))
    assert not bool(store.query(ask, substitutions={Variable("s"): names.term("nobody")}))
    built = store.query(f"CONSTRUCT {{ ?s <{names.base}q> ?o }} WHERE {{ ?s <{names.p.value}> ?o }}",
                        substitutions={Variable("s"): names.term("b")})
    assert list(built) == [Triple(names.term("b"), names.term("q"), Literal("two"))]
    with pytest.raises(UsageError, match="only an IRI"):
        store.select(query, substitutions={Variable("s"): BlankNode()})


@pytest.mark.parametrize("text", ["SELECT * WHERE { ?s ?p }", "INSERT DATA { <a:b> <a:c> <a:d> }"])
def test_a_malformed_query_is_a_usage_error(store, text):
    with pytest.raises(UsageError):
        store.query(text)


# -- export

FORMATS = [("ttl", pyoxigraph.RdfFormat.TURTLE), ("nq", pyoxigraph.RdfFormat.N_QUADS),
           ("jsonld", pyoxigraph.RdfFormat.JSON_LD)]


@pytest.mark.parametrize("fmt, rdf_format", FORMATS, ids=[f for f, _ in FORMATS])
def test_dump_writes_clkgs_graphs(store, names, fmt, rdf_format):
    quads = [names.quad("a", Literal("ä", language="de")), names.quad("b", 2)]
    other = [names.quad("c", names.term("d"), graph=1)]
    store.replace_graphs({names.graphs[0]: quads, names.graphs[1]: other})
    one = io.BytesIO()
    store.dump(one, format=fmt, graph=names.graphs[0])
    parsed = list(pyoxigraph.parse(one.getvalue(), format=rdf_format))
    assert {(q.subject, q.predicate, q.object) for q in parsed} == {(q.subject, q.predicate, q.object) for q in quads}
    assert all(q.graph_name == pyoxigraph.DefaultGraph() for q in parsed)
    everything = io.BytesIO()
    store.dump(everything, format=fmt)
    parsed = list(pyoxigraph.parse(everything.getvalue(), format=rdf_format))
    mine = {q for q in parsed if q.subject.value.startswith(names.base)}
    if rdf_format.supports_datasets:
        assert mine == set(quads + other)
    else:  # Turtle: the union of the graphs
        assert mine == {Quad(q.subject, q.predicate, q.object) for q in quads + other}
    with pytest.raises(UsageError, match="unknown format"):
        store.dump(io.BytesIO(), format="xml")


# -- life

def test_a_store_is_a_context_manager_that_closes(backend, names):
    with open_store(backend.spec) as store:
        store.replace_graphs({names.graphs[0]: [names.quad("a", "kept")]})
    with pytest.raises(UsageError, match="closed"):
        store.graph_sizes()
    store.close()  # closing twice is harmless
    with open_store(backend.spec) as again:
        assert _values(again, names) == {(f"<{names.base}a>", '"kept"')}


def test_read_only_reads_and_refuses_to_write(backend, names):
    with open_store(backend.spec) as store:
        store.replace_graphs({names.graphs[0]: [names.quad("a", "kept")]})
    with open_store(backend.spec, read_only=True) as reader:
        assert _values(reader, names) == {(f"<{names.base}a>", '"kept"')}
        with pytest.raises(UsageError, match="read-only"):
            reader.replace_graphs({names.graphs[0]: []})
        assert _mine(reader.graph_sizes(), names) == {names.graphs[0]: 1}


def test_closing_the_embedded_store_releases_it(tmp_path):
    path = tmp_path / "store"
    with open_store(f"oxigraph:{path}") as store:
        store.replace_graphs({GRAPH + "x": [Quad(NamedNode("https://example.org/s"), NamedNode("https://example.org/p"),
                                                  Literal("o"))]})
    other = subprocess.run([sys.executable, "-c", "import sys, pyoxigraph; print(len(pyoxigraph.Store(sys.argv[1])))",
                            str(path)], capture_output=True, text=True, timeout=60)
    assert (other.returncode, other.stdout.strip()) == (0, "1"), other.stderr


# -- errors

def test_a_missing_store_opened_read_only_is_store_missing(tmp_path):
    path = tmp_path / "nothing" / "store"
    with pytest.raises(StoreMissing, match=f"no clkg store at {path}: run `clkg build` or `clkg load` first"):
        open_store(f"oxigraph:{path}", read_only=True)
    assert not (tmp_path / "nothing").exists()


def test_an_unreachable_server_is_a_store_error():
    store = open_store("sparql:http://127.0.0.1:9/sparql")
    with pytest.raises(StoreError, match="cannot reach the SPARQL endpoint http://127.0.0.1:9/sparql"):
        store.graph_sizes()
    with pytest.raises(StoreError, match="cannot reach"):
        store.select("SELECT * WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("spec", ["mongo:x", "oxigraph:", "sparql:ftp://h/q", "sparql:http://h/q#chunk=x", "nothing"])
def test_a_malformed_spec_is_a_usage_error(spec):
    with pytest.raises(UsageError):
        open_store(spec)
