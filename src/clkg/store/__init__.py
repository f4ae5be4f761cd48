"""Stores: one string, the spec, names where the graph lives.

``oxigraph:PATH``
    The embedded store, a folder on disk (the default: ``oxigraph:.clkg/store``, or $CLKG_STORE).
    See :mod:`clkg.store.oxigraph`.
``sparql:QUERY_URL[#update=URL&gsp=URL&chunk=N]``
    A SPARQL 1.1 server (Virtuoso, Oxigraph server, Fuseki, GraphDB, ...). See :mod:`clkg.store.sparql`.

:func:`open_store` picks the backend by the spec's scheme; a backend's module is imported the
first time a spec names it (:data:`BACKENDS`). Every backend implements :class:`Store`.
"""

import os
from collections.abc import Iterable, Mapping
from typing import Protocol

from clkg.errors import UsageError

DEFAULT_STORE = "oxigraph:.clkg/store"

#: scheme -> "module:class" of its backend, imported on first use.
BACKENDS = {
    "oxigraph": "clkg.store.oxigraph:OxigraphStore",
    "sparql": "clkg.store.sparql:SparqlStore",
}


class Store(Protocol):
    """What every store does, whatever holds the graph.

    Scope. clkg's graphs are the named graphs whose IRI starts with ``https://w3id.org/clkg/graph/``
    (:data:`clkg.namespaces.GRAPH`). A store reads, counts, exports and writes those and nothing
    else: a SPARQL server may hold other data (Virtuoso's system graphs, other projects, clkg's
    own staging graphs while it writes), which no query sees. The embedded store holds nothing but
    clkg's graphs, since :meth:`replace_graphs` refuses any other graph name.

    Queries. :meth:`query` and :meth:`select` evaluate SPARQL 1.1 over a dataset whose default
    graph is the union of clkg's graphs and whose named graphs are clkg's graphs (``GRAPH ?g``
    ranges over them). A triple stated in two graphs is one triple of the default graph on Virtuoso
    (an RDF merge) and two on Oxigraph, embedded or served: a query that counts triples across
    graphs should use DISTINCT. ``substitutions`` ({``pyoxigraph.Variable``: ``NamedNode`` or
    ``Literal``}) bind variables to values by a VALUES block in the query's WHERE group, never by
    pasting values into the query (:func:`clkg.store.binding.bind_values`, on every store; where a
    query leaves no room for one, the embedded store uses pyoxigraph's own substitutions and a
    server refuses it). Answers are pyoxigraph objects: ``QuerySolutions`` (SELECT), ``QueryBoolean`` (ASK), an
    iterator of ``Triple`` (CONSTRUCT, DESCRIBE).

    Writing. :meth:`replace_graphs` replaces each graph it is given by the given quads (their own
    graph names are ignored) and leaves every other graph alone; it is atomic: all the graphs are
    replaced or, if anything fails (a bad quad, an exception from the iterable, a refused request),
    none, and the store is as it was. (On Virtuoso, which commits each operation of a request on its
    own, a failure in the very last step, one short request, can leave some graphs replaced: see
    :mod:`clkg.store.sparql`. The embedded store writes into an empty store with the bulk loader,
    which is not atomic, and undoes a failed or killed write by emptying the store again: see
    :mod:`clkg.store.oxigraph`.)

    Other writers. A SPARQL store answers from the server as it is now; the embedded store
    opened read-only answers from a snapshot taken when it was opened. :meth:`refresh` makes a
    store see what other processes have written since, cheaply enough to call before each
    request of a long-running reader (``clkg serve``).

    Life. A store is a context manager; :meth:`close` writes everything out and releases the store
    (the embedded store's lock); a closed store refuses further calls.

    Errors (:mod:`clkg.errors`). ``UsageError``: a bad spec, a query that is not valid SPARQL (or
    that a server refuses as malformed, HTTP 400), a substitution that is not an IRI or literal,
    ``select`` of a query that is not a SELECT, a graph outside clkg's scope, a write to a store
    opened read-only, a call on a closed store. ``StoreMissing``: a store opened read-only that does
    not exist. ``StoreLocked``: another process holds the embedded store for writing. ``StoreError``:
    anything else the store cannot do (an unreachable or refusing server, a partial answer, a
    damaged store folder).
    """

    def query(self, sparql: str, *, substitutions: Mapping | None = None):
        """Evaluate a SPARQL query (see the class docstring): QuerySolutions, QueryBoolean or Triples.

        :raises UsageError: a malformed query or substitution.
        :raises StoreError: the store cannot answer.
        """
        ...

    def graph_sizes(self) -> dict[str, int]:
        """{graph IRI: triples} for each of clkg's graphs that holds a triple.

        :raises StoreError: the store cannot answer.
        """
        ...

    def replace_graphs(self, graphs: Mapping[str, Iterable]) -> None:
        """Replace each named graph by the given quads, all or none (see the class docstring).

        :raises UsageError: a graph outside clkg's scope, or a store opened read-only.
        :raises StoreError: the store refused the write; nothing changed.
        """
        ...

    def dump(self, output, *, format: str = "ttl", graph: str | None = None) -> None:
        """Write clkg's graphs, or one of them, to a binary file as ``ttl``, ``nq`` or ``jsonld``.

        N-Quads and JSON-LD keep the graph names; Turtle holds one graph, so it gets the union of
        them. With ``graph``, that graph's triples go in the default graph of any format.

        :raises UsageError: an unknown format, or a graph outside clkg's scope.
        :raises StoreError: the store cannot answer in full.
        """
        ...

    def refresh(self) -> bool:
        """See what other processes have written since the store was opened or last refreshed; True
        if its answers may now differ. The embedded store opened read-only opens its folder again
        if a write has completed since (one ``stat`` to find out); a SPARQL store asks the server
        for its list of clkg's graphs again, if it is older than a few seconds. A store that always
        answers live does nothing. Do not call it while reading an answer of the same store.

        :raises StoreError: the store cannot be opened again or cannot answer.
        """
        return False

    def close(self) -> None:
        """Write everything out and release the store; closing twice is harmless."""
        ...

    def select(self, sparql: str, *, substitutions: Mapping | None = None) -> tuple[list[str], list[tuple]]:
        """A SELECT's answer as (column names, rows of pyoxigraph terms, None where unbound).

        :raises UsageError: the query is not a SELECT, or is malformed.
        :raises StoreError: the store cannot answer.
        """
        from pyoxigraph import QuerySolutions

        solutions = self.query(sparql, substitutions=substitutions)
        if not isinstance(solutions, QuerySolutions):
            raise UsageError("select takes a SELECT query: use query() for ASK, CONSTRUCT and DESCRIBE")
        columns = [v.value for v in solutions.variables]
        return columns, [tuple(s[c] for c in columns) for s in solutions]

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_store(spec: str | None = None, *, read_only: bool = False) -> Store:
    """Open the store a spec names (``scheme:location``); default $CLKG_STORE, else ``oxigraph:.clkg/store``.

    ``read_only`` never creates or changes anything: writes are refused, and a store that does not
    exist is an error instead of a new, empty store.

    :raises UsageError: an unknown scheme or a malformed location.
    :raises StoreMissing: ``read_only`` and there is no store there.
    :raises StoreLocked: another process holds the embedded store for writing.
    :raises StoreError: the store cannot be opened.
    """
    import importlib

    from clkg.text import shown

    spec = spec or os.environ.get("CLKG_STORE") or DEFAULT_STORE
    scheme, sep, location = spec.partition(":")
    if not sep or scheme not in BACKENDS or not location:
        raise UsageError(f"unknown store {shown(spec)!r}: write it as oxigraph:PATH (the embedded store) "
                         "or sparql:URL (a SPARQL 1.1 server's query endpoint)")
    module, _, name = BACKENDS[scheme].partition(":")
    backend = getattr(importlib.import_module(module), name)
    return backend(location, read_only=read_only)
