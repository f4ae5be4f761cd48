"""What the worker processes do with the store (run by :class:`clkg.web.runner.Runner`).

Every function takes the worker's :class:`State` first; its other arguments and its result
cross a pipe, so they are plain values and pyoxigraph terms. Store access goes through the
store contract only: ``open_store(spec, read_only=True)``, ``select``, ``query``, ``graph_sizes``.
"""

import io
from functools import cache
from pathlib import Path

from clkg.errors import StoreMissing
from clkg.namespaces import ONTOLOGY_GRAPH
from clkg.web.media import GRAPHS, SOLUTIONS, negotiate, serialize_triples
from clkg.web.runner import AnswerTooLarge, NotAcceptable

QUERIES = Path(__file__).resolve().parent / "queries"


def open_read_only(spec: str):
    """The store ``spec`` names, opened read-only."""
    from clkg.store import open_store

    try:
        return open_store(spec, read_only=True)
    except TypeError:  # shim until the store contract's read_only= is merged (delete then)
        return open_store(spec)


def readers_share(spec: str) -> bool:
    """Whether two readers can have the store open at once (an embedded store opened for writing,
    as before read_only= is merged, allows one): tried, and closed again."""
    from clkg.errors import ClkgError

    try:
        first = open_read_only(spec)
    except (ClkgError, OSError):
        return True  # cannot be opened now: each worker will say why
    try:
        open_read_only(spec).close()
        return True
    except (ClkgError, OSError):
        return False
    finally:
        first.close()


def query_store(store, text: str):
    """``store.query(text)`` (shim until the store contract's query() is merged: delete the fallback)."""
    if hasattr(store, "query"):
        return store.query(text)
    return store.native.query(text, use_default_graph_as_union=True)


class State:
    """A worker's store, opened on first use; a store without clkg's ontology counts as missing."""

    def __init__(self, spec: str):
        self.spec = spec
        self._store = None

    @property
    def store(self):
        if self._store is None:
            store = open_read_only(self.spec)
            _, rows = store.select(f"SELECT ?s WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }} LIMIT 1")
            if not rows:
                store.close()
                raise StoreMissing(f"the store {self.spec} holds no clkg graph: build it first "
                                   f"(clkg --store {self.spec} build)")
            self._store = store
        return self._store


@cache
def page_query(name: str) -> str:
    """The text of one of the web pages' queries (``clkg/web/queries/NAME.rq``)."""
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def has_page_query(name: str) -> bool:
    return (QUERIES / f"{name}.rq").is_file()


# -- tasks


def status(state: State) -> dict[str, int]:
    """Triples per named graph."""
    return state.store.graph_sizes()


def rows(state: State, names: tuple[str, ...], bindings: dict) -> dict[str, list[dict]]:
    """The answers of page queries, each with ``bindings`` ({variable name: term}) substituted;
    a row is {column: term or None}."""
    from pyoxigraph import Variable

    substitutions = {Variable(k): v for k, v in bindings.items()}
    answers = {}
    for name in names:
        columns, found = state.store.select(page_query(name), substitutions=substitutions)
        answers[name] = [dict(zip(columns, row)) for row in found]
    return answers


def answer(state: State, name: str, params: dict[str, str]):
    """A saved query's answer (:class:`clkg.tables.Table`)."""
    from clkg.saved_queries import run_query

    return run_query(state.store, name, params)


class _Bounded(io.RawIOBase):
    """A byte buffer that refuses to grow past ``limit``."""

    def __init__(self, limit: int):
        self.limit, self.data = limit, bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.data += chunk
        if len(self.data) > self.limit:
            raise AnswerTooLarge(f"the answer is larger than the limit of {self.limit / 1e6:g} MB: "
                                 "ask for less (a LIMIT, fewer variables)")
        return len(chunk)


def sparql(state: State, text: str, accept: str, limit: int) -> tuple[str, bytes, float]:
    """A SPARQL query's answer serialized in the media type the client prefers: SELECT and ASK as
    SPARQL results (JSON, XML, CSV, TSV), CONSTRUCT and DESCRIBE as RDF (Turtle, JSON-LD, ...);
    (media type, the answer, seconds the store took to answer and the answer to be written).

    :raises QueryError: the query does not parse (an update included)
    :raises NotAcceptable: no accepted format fits the answer
    :raises AnswerTooLarge: the serialized answer passes ``limit`` bytes
    """
    import time

    import pyoxigraph

    store = state.store
    started = time.perf_counter()
    result = query_store(store, text)
    out = _Bounded(limit)
    if isinstance(result, (pyoxigraph.QuerySolutions, pyoxigraph.QueryBoolean)):
        media = negotiate(accept, list(SOLUTIONS))
        if isinstance(result, pyoxigraph.QueryBoolean) and SOLUTIONS[media] in ("CSV", "TSV"):
            raise NotAcceptable("an ASK answer has no CSV or TSV form: accept JSON or XML")
        result.serialize(out, format=getattr(pyoxigraph.QueryResultsFormat, SOLUTIONS[media]))
    else:
        media = negotiate(accept, list(GRAPHS))
        serialize_triples(result, out, media)
    return media, bytes(out.data), time.perf_counter() - started


def table(state: State, text: str, max_rows: int, limit: int) -> dict:
    """A query's answer for the query page: a SELECT's first ``max_rows`` rows (and how many
    there are), an ASK's boolean, or a CONSTRUCT/DESCRIBE as Turtle text."""
    import pyoxigraph

    result = query_store(state.store, text)
    if isinstance(result, pyoxigraph.QueryBoolean):
        return {"kind": "boolean", "value": bool(result)}
    if isinstance(result, pyoxigraph.QuerySolutions):
        columns = [v.value for v in result.variables]
        shown, total = [], 0
        for solution in result:
            total += 1
            if total <= max_rows:
                shown.append([solution[c] for c in columns])
        return {"kind": "rows", "columns": columns, "rows": shown, "total": total}
    out = _Bounded(limit)
    serialize_triples(result, out, "text/turtle")
    return {"kind": "graph", "turtle": out.data.decode("utf-8")}


def describe(state: State, iri: str, media: str, limit: int) -> bytes:
    """What the graph says about ``iri`` (the triples with it as subject), in an RDF media type;
    for an IRI that is no subject, the triples of the resources ``iri#…`` (a hash namespace, a
    source table's rows), or, for a named graph, the triples it holds; empty when there are none."""
    from pyoxigraph import NamedNode, Triple

    subject = NamedNode(iri)
    triples = [Triple(subject, r["p"], r["o"]) for r in rows(state, ("describe",), {"item": subject})["describe"]]
    if not triples:
        triples = [Triple(r["s"], r["p"], r["o"]) for r in rows(state, ("family",), {"item": subject})["family"]]
    if not triples and iri in state.store.graph_sizes():  # a named graph: what it holds
        _, found = state.store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        triples = [Triple(*row) for row in found]
    if not triples:
        return b""
    out = _Bounded(limit)
    serialize_triples(triples, out, media)
    return bytes(out.data)

