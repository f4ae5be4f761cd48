"""What the backends share: clkg's scope of graphs, the export formats, the checks of a call."""

from clkg.errors import UsageError
from clkg.namespaces import GRAPH

FORMATS = ("ttl", "nq", "jsonld")

#: Triples per graph of clkg's scope (the SPARQL of :meth:`Store.graph_sizes`).
GRAPH_SIZES = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
               f'FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }} GROUP BY ?g')


def in_scope(graph: str) -> str:
    """``graph`` if it names one of clkg's graphs.

    :raises UsageError: it does not.
    """
    from clkg.text import shown

    if not isinstance(graph, str) or not graph.startswith(GRAPH) or graph == GRAPH:
        raise UsageError(f"{shown(graph)!r} is not one of clkg's graphs: their IRIs start with {GRAPH}")
    return graph


def rdf_format(name: str):
    """The pyoxigraph ``RdfFormat`` of an export format name (one of :data:`FORMATS`).

    :raises UsageError: an unknown name.
    """
    from pyoxigraph import RdfFormat

    formats = {"ttl": RdfFormat.TURTLE, "nq": RdfFormat.N_QUADS, "jsonld": RdfFormat.JSON_LD}
    if name not in formats:
        raise UsageError(f"unknown format {name!r}: write one of {', '.join(FORMATS)}")
    return formats[name]


def write_rdf(output, items, fmt) -> None:
    """Write triples or quads to a binary file; Turtle with the ontology's prefixes."""
    from pyoxigraph import RdfFormat, serialize

    from clkg.vocabulary import prefixes

    kwargs = {"prefixes": prefixes()} if fmt is RdfFormat.TURTLE else {}
    serialize(items, output, format=fmt, **kwargs)
