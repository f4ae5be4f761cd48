"""Validate one dataset against the ontology and the SHACL shapes, without touching any store.

The data graph is the dataset plus the ontology (so concept and class checks can see the
vocabularies) and nothing else: validating one study costs the same however big the store is.
Each result is traced back to the file, row and column it came from.

The data graph is an rdflib Graph, not a pyoxigraph Store: pyshacl 0.40's pyoxigraph backend
reads "35"^^xsd:nonNegativeInteger back as xsd:integer and so fails sh:datatype checks.
"""

from dataclasses import asdict, dataclass, field
from functools import cache, partial

import rdflib
from rdflib import RDF, BNode, Literal, Namespace, URIRef
from rdflib.plugins.sparql import prepareQuery

SH = "http://www.w3.org/ns/shacl#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
SEVERITIES = ("Violation", "Warning", "Info")


@dataclass
class Result:
    """One SHACL result, located in the input where that is possible."""

    severity: str
    message: str
    focus: str
    shape: str
    path: str | None = None
    value: str | None = None
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = ", ".join(filter(None, [self.file, self.row and f"row {self.row}",
                                        self.column and f"column {self.column!r}"])) or self.focus
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class Report:
    source: str
    results: list[Result] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        """No violations (warnings and infos are allowed)."""
        return not any(r.severity == "Violation" for r in self.results)

    def count(self, severity: str) -> int:
        return sum(r.severity == severity for r in self.results)

    def as_json(self) -> dict:
        return {"source": self.source, "conforms": self.conforms,
                "counts": {s: self.count(s) for s in SEVERITIES},
                "results": [asdict(r) for r in self.results]}


@cache
def shapes_graph():
    """The SHACL shapes shipped in shapes/ (an rdflib Graph, parsed once)."""
    from clkg.resources import shape_files

    graph = rdflib.Graph()
    for path in shape_files():
        graph.parse(path, format="turtle")
    return graph


def validate(dataset) -> Report:
    """Validate a :class:`clkg.loaders.Dataset` with the ontology; never reads or writes a store."""
    import pyshacl

    from clkg.vocabulary import ontology_quads

    data = _ParsedQueryGraph()
    for q in (*dataset.quads, *ontology_quads()):
        data.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)))
    # inplace: the graph is this call's own, so pyshacl need not copy it (and keeps its query cache)
    _, results, text = pyshacl.validate(data, shacl_graph=shapes_graph(), inference="none", inplace=True,
                                        advanced=True, allow_warnings=True)
    if not isinstance(results, rdflib.Graph):  # pyshacl reports unusable shapes this way
        raise RuntimeError(f"the SHACL shapes cannot be used: {text}")
    return Report(dataset.source, sorted(_results(results, dataset), key=_order))


class _ParsedQueryGraph(rdflib.Graph):
    """An rdflib Graph that parses each SPARQL text once: pyshacl sends the same SHACL-SPARQL
    text again for every focus node, and parsing it costs more than answering it."""

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            query_object = _parsed_query(query_object)
        return super().query(query_object, *args, **kwargs)


@cache
def _parsed_query(text: str):
    return prepareQuery(text)


def _rdflib(term):
    """A pyoxigraph term as an rdflib term (rdflib's N-Triples parser is slow on long literals)."""
    from pyoxigraph import BlankNode, NamedNode

    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _results(graph, dataset) -> list[Result]:
    sh = Namespace(SH)
    origin = {}
    for q in dataset.quads:
        if q.predicate.value == PROV_DERIVED:
            origin.setdefault(q.subject.value, q.object.value)
    found = []
    nested = set(graph.objects(None, sh.detail))  # details of another result are not results of their own
    for node in set(graph.subjects(RDF.type, sh.ValidationResult)) - nested:
        get = partial(graph.value, node)
        focus, path = str(get(sh.focusNode)), get(sh.resultPath)
        result = Result(severity=str(get(sh.resultSeverity)).removeprefix(SH),
                        message=" ".join(sorted(str(m) for m in graph.objects(node, sh.resultMessage)))
                        or "constraint not met", focus=focus, shape=str(get(sh.sourceShape)),
                        path=str(path) if path is not None else None,
                        value=str(get(sh.value)) if get(sh.value) is not None else None)
        row = dataset.origins.get(origin.get(focus, ""))
        if row:
            table, result.file, result.row = row
            result.column = _column(table, result.path)
        found.append(result)
    return found


def _column(table: str, path: str | None) -> str | None:
    """The input column whose values become the given property in the given table."""
    from clkg.loaders.casedata import tables
    from clkg.vocabulary import prefixes

    if path is None:
        return None
    ns = prefixes()
    for column in tables()[table].columns:
        head, _, tail = column.prop.partition(":")
        if not column.virtual and ns.get(head, "") + tail == path:
            return column.name
    return None


def _order(result: Result):
    return (SEVERITIES.index(result.severity) if result.severity in SEVERITIES else 9,
            result.file or "", result.row or 0, result.column or "", result.message)
