"""Stores: one string picks where the graph lives, e.g. ``oxigraph:.clkg/store``."""

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

DEFAULT_STORE = "oxigraph:.clkg/store"


class OxigraphStore:
    """The embedded store: pyoxigraph on disk."""

    def __init__(self, path: str):
        from pyoxigraph import Store

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._store = Store(str(self.path))

    @property
    def native(self):
        """The underlying ``pyoxigraph.Store`` (pyshacl and pyoxigraph read it directly)."""
        return self._store

    def replace_graphs(self, graphs: Mapping[str, Iterable]) -> None:
        """Replace each named graph by the given quads, all in one transaction."""
        from pyoxigraph import RdfFormat, Triple, serialize

        parts = []
        for graph, quads in graphs.items():
            triples = serialize((Triple(q.subject, q.predicate, q.object) for q in quads),
                                format=RdfFormat.N_TRIPLES) or b""
            parts.append(f"DROP SILENT GRAPH <{graph}> ;\n"
                         f"INSERT DATA {{ GRAPH <{graph}> {{\n{triples.decode()}}} }}")
        self._store.update(" ;\n".join(parts))
        self._store.flush()

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph."""
        rows = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"].value: int(row["n"].value) for row in rows}

    def select(self, query: str, *, substitutions: dict | None = None):
        """Run a SELECT over the union of the named graphs; (column names, rows of terms)."""
        solutions = self._store.query(query, use_default_graph_as_union=True,
                                      substitutions=substitutions or None)
        columns = [v.value for v in solutions.variables]
        return columns, [tuple(s[c] for c in columns) for s in solutions]

    def dump(self, output, *, format: str, graph: str | None = None) -> None:
        """Write the store (or one graph) as Turtle, N-Quads or JSON-LD."""
        from pyoxigraph import NamedNode, RdfFormat

        fmt = {"ttl": RdfFormat.TURTLE, "nq": RdfFormat.N_QUADS, "jsonld": RdfFormat.JSON_LD}[format]
        if graph is not None:
            self._store.dump(output, format=fmt, from_graph=NamedNode(graph))
        elif fmt is RdfFormat.TURTLE:  # Turtle holds one graph: the union of all of them
            from pyoxigraph import serialize
            triples = self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            output.write(serialize(triples, format=fmt, prefixes=_prefixes()))
        else:
            self._store.dump(output, format=fmt)

    def close(self) -> None:
        self._store.flush()
        del self._store


SCHEMES = {"oxigraph": OxigraphStore}


def open_store(spec: str | None = None):
    """Open the store a spec names (``scheme:location``); default: $CLKG_STORE or ``oxigraph:.clkg/store``."""
    spec = spec or os.environ.get("CLKG_STORE") or DEFAULT_STORE
    scheme, sep, location = spec.partition(":")
    if not sep or scheme not in SCHEMES or not location:
        raise ValueError(f"unknown store {spec!r}: write it as one of "
                         + ", ".join(f"{s}:LOCATION" for s in SCHEMES))
    return SCHEMES[scheme](location)


def _prefixes() -> dict[str, str]:
    from clkg.vocabulary import prefixes
    return prefixes()
