"""The shipped ontology as quads, and the prefixes its files declare."""

from functools import cache

from clkg.errors import InputError, Problem
from clkg.namespaces import ONTOLOGY_GRAPH
from clkg.resources import ontology_files


@cache
def _parsed() -> tuple[tuple, dict[str, str]]:
    from pyoxigraph import NamedNode, Quad, RdfFormat, parse

    graph, quads, prefixes = NamedNode(ONTOLOGY_GRAPH), [], {}
    for path in ontology_files():
        try:
            parser = parse(path=str(path), format=RdfFormat.TURTLE)
            quads += [Quad(q.subject, q.predicate, q.object, graph) for q in parser]
        except SyntaxError as err:
            raise InputError([Problem(str(path), f"is not valid Turtle: {err}")]) from None
        prefixes.update(parser.prefixes)
    return tuple(quads), prefixes


def ontology_quads() -> tuple:
    """The ontology and its concept schemes, in the ontology graph."""
    return _parsed()[0]


def prefixes() -> dict[str, str]:
    """Prefix -> namespace, as declared in the ontology files (used for CURIEs in case data)."""
    return dict(_parsed()[1])
