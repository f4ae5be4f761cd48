"""Validate one dataset against the ontology and the SHACL shapes, without touching any store.

The data graph is the dataset plus the ontology (so concept and class checks can see the
vocabularies) and nothing else: validating one study costs the same however big the store is.
Each result is traced back to the file, row and column it came from.

The data graph is an rdflib Graph, not a pyoxigraph Store: pyshacl 0.40's pyoxigraph backend
reads "35"^^xsd:nonNegativeInteger back as xsd:integer and so fails sh:datatype checks. The shapes'
SPARQL targets (one query each per dataset, most of pyshacl's time on rdflib) are answered by a
pyoxigraph copy of the same triples: they select focus nodes, never literals, so pyoxigraph's
canonical literals ("035" read as "35") cannot change a report. (Where rdflib's SPARQL engine
selected other nodes, it was wrong: it compared a string with numbers, and joined a grouped
sub-SELECT with no answer as if it had one empty row; tests/test_shapes.py holds both cases.)
"""

import re
from dataclasses import asdict, dataclass, field
from functools import cache, partial

import rdflib
from rdflib import RDF, BNode, Literal, Namespace, URIRef
from rdflib.plugins.sparql import prepareQuery

from clkg.namespaces import ONTOLOGY_GRAPH
from clkg.prefixes import compress, shorten_iris
from clkg.text import MESSAGE_LIMIT, shown

SH = "http://www.w3.org/ns/shacl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
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
        """The result for a terminal: names and values escaped, a long message cut."""
        where = ", ".join(filter(None, [self.file, self.row and f"row {self.row}",
                                        self.column and f"column {self.column!r}"])) or self.focus
        return f"{shown(where)}: {self.severity}: {shown(self.message, limit=MESSAGE_LIMIT)}"


@dataclass
class Report:
    """A dataset's validation results, and the entries of its folder or workbook it ignored
    ({name: why}, as :attr:`clkg.loaders.Dataset.ignored`)."""

    source: str
    results: list[Result] = field(default_factory=list)
    ignored: dict[str, str] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        """No violations (warnings and infos are allowed)."""
        return not any(r.severity == "Violation" for r in self.results)

    def count(self, severity: str) -> int:
        return sum(r.severity == severity for r in self.results)

    def as_json(self) -> dict:
        return {"source": self.source, "conforms": self.conforms,
                "counts": {s: self.count(s) for s in SEVERITIES},
                "results": [asdict(r) for r in self.results], "ignored": self.ignored}


@cache
def shapes_graph():
    """The SHACL shapes shipped in shapes/ (an rdflib Graph, parsed once)."""
    from clkg.resources import shape_files

    graph = rdflib.Graph()
    for path in shape_files():
        graph.parse(path, format="turtle")
    return graph


_INDEX_QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX vann: <http://purl.org/vocab/vann/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?g ?s ?p ?o WHERE {{
  {values}
  GRAPH ?g {{ {pattern}
             ?s ?p ?o .
             FILTER(?p IN (rdf:type, skos:inScheme, skos:prefLabel, skos:broader, skos:topConceptOf,
                           vann:preferredNamespacePrefix, vann:preferredNamespaceUri)) }}
  FILTER(?g != <%s>) }}""" % ONTOLOGY_GRAPH
_CONCEPT = "{ ?s a skos:Concept } UNION { ?s a skos:ConceptScheme }"
_CHUNK = 500  # IRIs per VALUES block
NEAR_DUPLICATE = "https://w3id.org/clkg/shapes#NearDuplicateValueShape"


_INDEXED = {SKOS + p for p in ("inScheme", "prefLabel", "broader", "topConceptOf")} | {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://purl.org/vocab/vann/preferredNamespacePrefix",
    "http://purl.org/vocab/vann/preferredNamespaceUri"}


def concept_quads(quads) -> list:
    """Of a dataset's quads, those :func:`concept_index` would take from a store."""
    kinds = {SKOS + "Concept", SKOS + "ConceptScheme"}
    described = {q.subject for q in quads if q.predicate.value == str(RDF.type) and q.object.value in kinds}
    return [q for q in quads if q.subject in described and q.predicate.value in _INDEXED]


def concept_index(store, datasets) -> list:
    """What validating (and reasoning over) ``datasets`` needs to know of the concepts and schemes
    the studies in a store define, as quads in their graphs: every scheme, the concepts the
    datasets name, and the concepts of the other schemes they add values to (types, schemes,
    labels, broader concepts, prefixes). Read with a few small queries, so that the cost follows
    the datasets, not the store."""
    from pyoxigraph import NamedNode, Quad

    from clkg.namespaces import dataset_base

    named, extended = set(), set()
    for ds in datasets:
        own = dataset_base(ds.study_id)
        for q in ds.quads:
            if isinstance(q.object, NamedNode) and not q.object.value.startswith(own):
                named.add(q.object.value)
                if q.predicate.value == SKOS + "inScheme" and q.subject.value.startswith(own):
                    extended.add(q.object.value)
    queries = [_INDEX_QUERY.format(values="", pattern="?s a skos:ConceptScheme .")]
    queries += [_INDEX_QUERY.format(values=f"VALUES ?s {{ {_iris(chunk)} }}", pattern=_CONCEPT)
                for chunk in _chunks(sorted(named))]
    queries += [_INDEX_QUERY.format(values=f"VALUES ?scheme {{ {_iris(chunk)} }}",
                                    pattern="?s skos:inScheme ?scheme .")
                for chunk in _chunks(sorted(extended))]
    quads = {}
    for text in queries:
        _, rows = store.select(text)
        for g, s, p, o in rows:
            quads.setdefault((g, s, p, o), Quad(s, p, o, g))
    return list(quads.values())


def _iris(iris) -> str:
    from pyoxigraph import NamedNode

    return " ".join(str(NamedNode(iri)) for iri in iris)


def _chunks(items: list) -> list[list]:
    return [items[i:i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def validate(dataset, *, context=()) -> Report:
    """Validate a :class:`clkg.loaders.Dataset` with the ontology and ``context`` (a :class:`Context`,
    or quads of the concepts the store and the datasets loaded with it define); never reads or
    writes a store. The dataset's own graph in the context is left out (its quads are the dataset's).

    :raises RuntimeError: the shipped shapes cannot be used (a broken installation).
    """
    import pyshacl

    from clkg.vocabulary import ontology_quads

    context = Context.of(context)
    data = _DataGraph([*dataset.quads, *context.relevant(dataset)])
    # inplace: the graph is this call's own, so pyshacl need not copy it (and keeps its query cache)
    _, results, text = pyshacl.validate(data, shacl_graph=shapes_graph(), inference="none", inplace=True,
                                        advanced=True, allow_warnings=True)
    if not isinstance(results, rdflib.Graph):  # pyshacl reports unusable shapes this way
        raise RuntimeError(f"the SHACL shapes cannot be used: {text}")
    found = _results(results, dataset) + _near_duplicates(dataset, context)
    conv = _converter(data)
    every = None
    for result in found:
        result.message = shorten_iris(result.message, conv)
        if result.shape.endswith("KnownConceptShape") and result.value:
            every = every or [*dataset.quads, *context.others(dataset), *ontology_quads()]
            result.message += _did_you_mean(result.value, every, conv)
    return Report(dataset.source, sorted(found, key=_order), ignored=dict(dataset.ignored))


class Context:
    """The concepts and schemes datasets are read with: quads of the store's other studies (as
    :func:`concept_index` gives them) and of the datasets loaded together, indexed once, so that
    what each dataset takes costs what it names, not what the store holds. A dataset never takes
    quads of its own graph from the context."""

    def __init__(self, quads=()):
        from pyoxigraph import NamedNode

        self.quads = list(quads)
        self._about: dict = {}  # subject: [(position, quad)]
        for position, q in enumerate(self.quads):
            self._about.setdefault(q.subject, []).append((position, q))
        scheme, rdf_type = NamedNode(SKOS + "ConceptScheme"), NamedNode(str(RDF.type))
        self._schemes = {q.subject for q in self.quads if q.object == scheme and q.predicate == rdf_type}
        self._labels: dict[str, dict[str, str]] = {}

    @classmethod
    def of(cls, context) -> "Context":
        """``context`` if it is a Context, else a Context of its quads."""
        return context if isinstance(context, cls) else cls(context)

    def relevant(self, dataset) -> list:
        """What the shapes (and the reasoner) need for ``dataset``: every concept scheme, and the
        concepts the dataset names (in its records, broader cells and alignments), in context order."""
        from pyoxigraph import NamedNode

        own = NamedNode(dataset.graph)
        wanted = {q.object for q in dataset.quads if isinstance(q.object, NamedNode)} | self._schemes
        picked = [pq for subject in wanted for pq in self._about.get(subject, ()) if pq[1].graph_name != own]
        return [q for _, q in sorted(picked, key=lambda pq: pq[0])]

    def others(self, dataset) -> list:
        """The quads of the context outside ``dataset``'s own graph."""
        return [q for q in self.quads if q.graph_name.value != dataset.graph]

    def labels(self, scheme: str) -> dict[str, str]:
        """{concept IRI: label} of the scheme's members in the context and the ontology (computed once)."""
        from clkg.vocabulary import ontology_quads

        if scheme not in self._labels:
            self._labels[scheme] = _labels([*ontology_quads(), *self.quads], scheme)
        return self._labels[scheme]


@cache
def _ontology_triples() -> tuple:
    """The ontology's triples as rdflib terms, converted once per process."""
    from clkg.vocabulary import ontology_quads

    return tuple((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)) for q in ontology_quads())


def _labels(quads, scheme: str | None = None) -> dict[str, str]:
    """{concept IRI: label} of the concepts the quads describe (of one scheme, if given): the
    skos:prefLabel, else the rdfs:label."""
    members = ({q.subject.value for q in quads if q.predicate.value == SKOS + "inScheme" and q.object.value == scheme}
               if scheme is not None else
               {q.subject.value for q in quads if q.predicate.value == str(RDF.type) and q.object.value == SKOS + "Concept"})
    labels: dict[str, str] = {}
    for q in quads:
        if q.subject.value in members and q.predicate.value == SKOS + "prefLabel":
            labels.setdefault(q.subject.value, q.object.value)
    for q in quads:
        if q.subject.value in members and q.predicate.value == str(rdflib.RDFS.label):
            labels.setdefault(q.subject.value, q.object.value)
    return {iri: labels.get(iri, "") for iri in members}


def _near_duplicates(dataset, context: Context) -> list[Result]:
    """A Warning for each value a dataset adds to a vocabulary of another scheme whose label is
    close to a concept already in it ("ICT" beside "information and communication technologies")."""
    from clkg.close_labels import close_labels
    from clkg.namespaces import concept_namespace

    own = concept_namespace(dataset.study_id)
    mine = sorted({(q.subject.value, q.object.value) for q in dataset.quads if q.predicate.value == SKOS + "inScheme"
                   and q.subject.value.startswith(own) and not q.object.value.startswith(own)})
    found = []
    for concept, scheme in mine:
        label = _labels(dataset.quads, scheme).get(concept, "")
        others = {iri: text for iri, text in context.labels(scheme).items() if not iri.startswith(own)}
        close = close_labels(label, others)
        if close:
            found.append(Result("Warning", f"the new value {label!r} ({concept}) is close to "
                                + ", ".join(f"{iri} ({others[iri]!r})" for iri in close)
                                + ": use that concept unless the study means something else",
                                concept, NEAR_DUPLICATE, SKOS + "prefLabel", label))
    return _locate(found, dataset)


def _did_you_mean(value: str, quads, conv) -> str:
    """" (did you mean x, y?)" for an unknown concept: known concepts with a close name or label."""
    from clkg.close_labels import close_labels

    known = _labels(quads)
    local = re.split(r"[/#:]", value)[-1].replace("-", " ").replace("_", " ")
    names = {iri: re.split(r"[/#]", iri)[-1].replace("-", " ") for iri in known}
    close = close_labels(local, names, cutoff=0.75) or close_labels(local, known, cutoff=0.75)
    return f" (did you mean {', '.join(compress(c, conv) for c in close)}?)" if close else ""


def _converter(data):
    """The ontology's prefixes and those the studies in the data graph declare."""
    from clkg.prefixes import VANN, converter

    declared = {str(p): str(data.value(s, URIRef(VANN + "preferredNamespaceUri")))
                for s, p in data.subject_objects(URIRef(VANN + "preferredNamespacePrefix"))
                if data.value(s, URIRef(VANN + "preferredNamespaceUri")) is not None}
    return converter(declared)


class _DataGraph(rdflib.Graph):
    """The data graph pyshacl validates: the given quads' triples and the ontology's. The shapes'
    SPARQL targets are answered by a pyoxigraph copy of the same triples; any other SPARQL text is
    parsed once (pyshacl sends the same SHACL-SPARQL text again for every focus node, and parsing it
    costs more than answering it)."""

    def __init__(self, quads):
        from pyoxigraph import Quad, Store

        from clkg.vocabulary import ontology_quads

        super().__init__()
        self.addN((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object), self) for q in quads)
        self.addN((*triple, self) for triple in _ontology_triples())
        self._copy = Store()
        self._copy.bulk_extend(Quad(q.subject, q.predicate, q.object) for q in [*quads, *ontology_quads()])

    def query(self, query_object, *args, **kwargs):
        if isinstance(query_object, str):
            if not kwargs.get("initBindings") and query_object.endswith(_target_selects()):
                return self._select(query_object)
            query_object = _parsed_query(query_object)
        return super().query(query_object, *args, **kwargs)

    def _select(self, text: str) -> rdflib.query.Result:
        """A SELECT query's answer from the pyoxigraph copy, as rdflib gives it."""
        solutions = self._copy.query(text)
        result = rdflib.query.Result("SELECT")
        result.vars = [rdflib.Variable(v.value) for v in solutions.variables]
        result.bindings = [{var: _rdflib(term) for var, term in zip(result.vars, row) if term is not None}
                           for row in solutions]
        return result


@cache
def _target_selects() -> tuple[str, ...]:
    """The SELECT texts of the shapes' SPARQL targets (sh:SPARQLTarget)."""
    sh = Namespace(SH)
    graph = shapes_graph()
    return tuple(str(text) for target in graph.subjects(RDF.type, sh.SPARQLTarget)
                 for text in graph.objects(target, sh.select))


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
        found.append(result)
    return _locate(found, dataset)


def _locate(results: list[Result], dataset) -> list[Result]:
    """Each result with the file, row and column its focus node came from, where known."""
    origin = {}
    for q in dataset.quads:
        if q.predicate.value == PROV_DERIVED:
            origin.setdefault(q.subject.value, q.object.value)
    for result in results:
        row = dataset.origins.get(origin.get(result.focus, ""))
        if row:
            table, result.file, result.row = row
            result.column = _column(table, result.path)
    return results


def _column(table: str, path: str | None) -> str | None:
    """The input column whose values become the given property in the given table."""
    from clkg.loaders.casedata import tables
    from clkg.vocabulary import prefixes

    if table == "alignments":
        return {OWL + "annotatedTarget": "object_id", OWL + "annotatedSource": "subject_id"}.get(path)
    if path is None or table not in tables():
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
