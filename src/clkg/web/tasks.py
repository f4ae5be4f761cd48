"""What the worker processes do with the store (run by :class:`clkg.web.runner.Runner`).

Every function takes the worker's :class:`State` first; its other arguments and its result
cross a pipe, so they are plain values and pyoxigraph terms. Store access goes through the
store contract only: ``open_store(spec, read_only=True)``, ``select``, ``query``, ``graph_sizes``,
``refresh``.
"""

import io
from functools import cache
from pathlib import Path

from clkg.errors import UsageError
from clkg.text import shown
from clkg.web.media import GRAPHS, SOLUTIONS, negotiate, serialize_triples
from clkg.web.runner import AnswerTooLarge, NotAcceptable

QUERIES = Path(__file__).resolve().parent / "queries"


class State:
    """A worker's store, opened read-only on first use; a store without clkg's ontology counts as missing."""

    def __init__(self, spec: str):
        self.spec = spec
        self._store = None

    def refresh(self) -> bool:
        """Let the store see what was written since it was opened (``Store.refresh``); True if
        its answers may have changed. A store not opened yet is opened, as it is then, on first use."""
        if self._store is None:
            return False
        try:
            return self._store.refresh()
        except Exception:  # e.g. the folder was removed: open it anew, or say why not, on first use
            self._store.close()
            self._store = None
            return True

    @property
    def store(self):
        """:raises StoreMissing: there is no store, or it holds no clkg ontology"""
        if self._store is None:
            from clkg.api import require_ontology
            from clkg.store import open_store

            store = open_store(self.spec, read_only=True)
            try:
                require_ontology(store, spec=self.spec)
            except BaseException:
                store.close()
                raise
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


def prefixes(state: State) -> dict[str, str]:
    """{prefix: namespace} of the studies' own concept schemes."""
    from clkg.prefixes import store_prefixes

    return store_prefixes(state.store)


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


def saved_text(state: State, name: str, values: dict[str, str]) -> str:
    """A saved query's text with its parameters bound by a VALUES block, as the stores bind them
    (CURIEs of the ontology's and the studies' prefixes).

    :raises UsageError: an unknown query or a bad parameter value
    """
    from clkg.prefixes import converter, store_prefixes
    from clkg.saved_queries import bindings, saved_queries
    from clkg.store.binding import bind_values

    query = saved_queries().get(name)
    if query is None:
        raise UsageError(f"there is no saved question {shown(name)!r}")
    terms = bindings(query, values, prefixes=converter(store_prefixes(state.store)))
    return bind_values(query.text, terms) if terms else query.text


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
    result = store.query(text)
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

    result = state.store.query(text)
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
    """What the graph says about ``iri`` in an RDF media type: for a named graph, the triples it
    holds; else the triples with ``iri`` as subject or, for an IRI that is no subject, those of the
    resources ``iri#…`` (a hash namespace, a source table's rows); empty when there are none."""
    from pyoxigraph import NamedNode, Triple

    subject = NamedNode(iri)
    if iri in state.store.graph_sizes():
        _, found = state.store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        triples = [Triple(*row) for row in found]
    else:
        triples = [Triple(subject, r["p"], r["o"]) for r in rows(state, ("describe",), {"item": subject})["describe"]]
    if not triples:
        triples = [Triple(r["s"], r["p"], r["o"]) for r in rows(state, ("family",), {"item": subject})["family"]]
    if not triples:
        return b""
    out = _Bounded(limit)
    serialize_triples(triples, out, media)
    return bytes(out.data)

