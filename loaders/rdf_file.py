"""Read a case dataset that is already RDF (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD).

An RDF dataset speaks only of itself: every subject is a resource of its own study's namespace
(``https://w3id.org/clkg/data/{study_id}/…``) or a blank node. A statement about another
study, a framework concept or an ontology term is refused, as are ontology axioms (owl:sameAs,
rdfs:subClassOf, classes …), RDF-star triple terms and literals whose value does not fit their
datatype. What a folder's tables become is accepted as it is exported: the study's own SKOS
concept scheme, and the owl:Axiom nodes that annotate its SKOS mappings (alignments.sssom.tsv);
the source and the fingerprint a load recorded on the graph (``prov:wasDerivedFrom``,
``dcterms:hasVersion``) are dropped, as the next load records its own.
"""

import json
import logging
from contextlib import contextmanager
from pathlib import Path

from clkg.errors import InputError, Problem
from clkg.namespaces import CLKG, DATA, HAS_VERSION, dataset_base, dataset_graph
from clkg.text import plural, shown

from .dataset import Dataset
from .limits import Limits, read_file
from .markup import check_json, check_xml

FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG",
           ".rdf": "RDF_XML", ".owl": "RDF_XML", ".jsonld": "JSON_LD"}
STUDY = CLKG + "Study"
IDENTIFIER = "http://purl.org/dc/terms/identifier"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMES = "https://w3id.org/clkg/scheme/"
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA = {RDFS + p for p in ("subClassOf", "subPropertyOf", "domain", "range")}
#: Types that make a resource a term of an ontology (owl:NamedIndividual and owl:Thing do not).
CLASSES_OF_TERMS = {RDFS + "Class", RDFS + "Datatype"} | {OWL + t for t in (
    "Class", "Restriction", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "Ontology",
    "TransitiveProperty", "SymmetricProperty", "AsymmetricProperty", "ReflexiveProperty",
    "IrreflexiveProperty", "FunctionalProperty", "InverseFunctionalProperty", "AllDisjointClasses",
    "AllDifferent", "AllDisjointProperties", "NegativePropertyAssertion", "Axiom", "DataRange")}
#: The statements of an owl:Axiom node that annotates a mapping (clkg.alignments writes them).
ANNOTATED = {OWL + p for p in ("annotatedSource", "annotatedProperty", "annotatedTarget")}
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
SHOWN = 5  # statements shown of each kind refused; the rest are counted


def read_rdf_file(path: Path, *, limits: Limits, prefixes) -> Dataset:
    """All triples of the file (named graphs merged) as one dataset, named by its study's
    identifier; ``prefixes`` (a ``curies.Converter``) shortens the triples messages show.

    :raises InputError: for a file that cannot be read or parsed, passes ``limits.file_mb`` or
        ``limits.nesting``, is RDF/XML with a DOCTYPE, describes anything but its own study's
        resources, holds RDF-star triple terms or ill-typed literals, or describes no single
        clkg:Study.
    """
    from pyoxigraph import NamedNode, Quad, RdfFormat, parse

    data = read_file(path, limits)
    fmt = FORMATS[path.suffix.lower()]
    if fmt == "RDF_XML":
        check_xml(path, data, limits)
    elif fmt == "JSON_LD":
        check_json(path, data, limits)
    try:
        triples = [q.triple for q in parse(data, format=getattr(RdfFormat, fmt))]
    except (SyntaxError, ValueError) as err:
        raise InputError([Problem(str(path), f"is not valid RDF: {shown(str(err), limit=500)}")]) from None
    show = _shower(prefixes)
    problems = _refused(path, triples, show)
    if problems:
        raise InputError(problems)
    studies = {s for s, p, o in triples if p.value == RDF_TYPE and o.value == STUDY}
    ids = {o.value for s, p, o in triples if s in studies and p.value == IDENTIFIER}
    if len(ids) != 1:
        raise InputError([Problem(str(path), "must describe exactly one clkg:Study with a dcterms:identifier "
                                  f"(found {len(ids)})")])
    study_id = ids.pop()
    try:
        graph = NamedNode(dataset_graph(study_id))
    except ValueError:
        raise InputError([Problem(str(path), f"the study's dcterms:identifier '{shown(study_id)}' cannot "
                                  "name a graph: use letters, digits, - and _")]) from None
    triples = [t for t in triples if not (t[0] == graph and t[1].value in (PROV_DERIVED, HAS_VERSION))]
    problems = _foreign(path, triples, dataset_base(study_id), show)
    if problems:
        raise InputError(problems)
    return Dataset(study_id, graph.value, str(path), [Quad(s, p, o, graph) for s, p, o in triples])


def _refused(path: Path, triples: list, show) -> list[Problem]:
    """Problems for RDF-star triple terms and ill-typed literals, a few of each kind shown."""
    from pyoxigraph import Literal, Triple

    star, ill = [], []
    checked = {}
    for triple in triples:
        s, _, o = triple
        if isinstance(s, Triple) or isinstance(o, Triple):
            star.append(triple)
        elif isinstance(o, Literal) and o.datatype.value.startswith(XSD):
            key = (o.value, o.datatype.value)
            if key not in checked:
                checked[key] = _ill_typed(o.value, o.datatype.value)
            if checked[key]:
                ill.append(triple)
    return (_shown(path, star, "holds an RDF-star triple term (<<( … )>>), which clkg does not take", show)
            + _shown(path, ill, "holds a literal whose text does not fit its datatype", show))


def _ill_typed(text: str, datatype: str) -> bool:
    """Whether rdflib (which validation uses) finds the literal ill-typed; its log stays quiet."""
    import rdflib

    with _quiet("rdflib.term"):
        return rdflib.Literal(text, datatype=rdflib.URIRef(datatype)).ill_typed is True


@contextmanager
def _quiet(logger: str):
    """No record of ``logger`` printed while the block runs (rdflib logs a traceback per bad literal)."""
    log = logging.getLogger(logger)
    disabled, log.disabled = log.disabled, True
    try:
        yield
    finally:
        log.disabled = disabled


def _foreign(path: Path, triples: list, own: str, show) -> list[Problem]:
    """Problems for statements whose subject is neither a blank node nor in the namespace ``own``,
    and for ontology axioms (owl:sameAs would say of another resource all that is said of one of
    the study's; class axioms can make the reasoner run for ever)."""
    from pyoxigraph import NamedNode

    kinds: dict[str, list] = {}
    mappings = _mapping_nodes(triples, own)
    for triple in triples:
        subject, predicate, obj = triple
        if isinstance(subject, NamedNode) and not subject.value.startswith(own):
            kinds.setdefault(f"may describe only its own study (resources under <{shown(own)}>) and "
                             f"blank nodes, not {_about(subject.value)}", []).append(triple)
        elif subject in mappings and (predicate.value in ANNOTATED or (
                predicate.value == RDF_TYPE and obj.value == OWL + "Axiom")):
            continue
        elif predicate.value.startswith(OWL) or predicate.value in SCHEMA or (
                predicate.value == RDF_TYPE and obj.value in CLASSES_OF_TERMS):
            kinds.setdefault("states an ontology axiom (owl:…, rdfs:subClassOf …), which belongs in the "
                             "ontology, not in a dataset", []).append(triple)
    return [problem for message, found in kinds.items() for problem in _shown(path, found, message, show)]


def _mapping_nodes(triples: list, own: str) -> set:
    """The owl:Axiom nodes that annotate a SKOS mapping of one of the study's own resources: each
    owl:annotatedProperty a SKOS mapping property, each owl:annotatedSource the study's. Any other
    reified axiom could bring in what the study may not state (rdfs:subClassOf …)."""
    from pyoxigraph import NamedNode

    from clkg.alignments import PREDICATES

    fitting, other = set(), set()
    for subject, predicate, obj in triples:
        if predicate.value == OWL + "annotatedProperty":
            (fitting if obj.value in PREDICATES else other).add(subject)
        elif predicate.value == OWL + "annotatedSource":
            (fitting if isinstance(obj, NamedNode) and obj.value.startswith(own) else other).add(subject)
    return fitting - other


def _about(iri: str) -> str:
    """What a resource outside the dataset is, in words."""
    if iri.startswith(CLKG):
        return "an ontology term"
    if iri.startswith(SCHEMES):
        return "a framework concept"
    if iri.startswith(DATA):
        return f"another study ('{shown(iri[len(DATA):].split('/', 1)[0])}')"
    return "a resource outside the study"


def _shown(path: Path, triples: list, message: str, show) -> list[Problem]:
    """The first statements of one kind, each in a problem, and a count of the rest."""
    problems = [Problem(str(path), f"{message}: {show(t)}") for t in triples[:SHOWN]]
    if len(triples) > SHOWN:
        problems.append(Problem(str(path), f"and {plural(len(triples) - SHOWN, 'more statement')} "
                                "of the kind above"))
    return problems


def _shower(prefixes):
    """A function that shows a triple in Turtle, IRIs shortened to CURIEs, cut when long."""
    from pyoxigraph import BlankNode, Literal, NamedNode, Triple

    def term(t) -> str:
        if isinstance(t, NamedNode):
            return prefixes.compress(t.value) or f"<{t.value}>"
        if isinstance(t, BlankNode):
            return f"_:{t.value}"
        if isinstance(t, Literal):
            text = json.dumps(t.value, ensure_ascii=False)
            if t.language:
                return f"{text}@{t.language}"
            return text if t.datatype.value == XSD + "string" else f"{text}^^{term(t.datatype)}"
        if isinstance(t, Triple):
            return f"<<( {triple(t)} )>>"
        return str(t)

    def triple(t) -> str:
        return " ".join(term(x) for x in t)

    return lambda t: shown(triple(t))
