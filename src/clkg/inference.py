"""What the ontology entails about a dataset, as triples a plain SPARQL query can match.

The ontology states inverses (``clkg:hasCase`` / ``clkg:caseOf``), a property chain
(``clkg:occursAtLevel`` = ``clkg:emergesAtLevel`` o ``clkg:atOrAboveLevel``), sub-classes
(``clkg:CommunityOfPracticeType`` ⊑ ``clkg:MemberGroup``), sub-properties, symmetric properties
and domains and ranges; a query over the asserted triples alone misses their consequences. This
module materialises them with owlrl (the OWL 2 RL rules of the W3C profile, on rdflib): the
Rust reasoner ``reasonable`` is twenty times faster but implements no property chains and
derives wrong ``clkg:occursAtLevel`` triples (docs/model.md has the measurements).
"""

from collections.abc import Iterable

from clkg.errors import InputError, Problem

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: The namespaces of the modelling vocabulary: a resource typed with one of their classes is a
#: term of the schema, and a type from them (owl:Thing, rdfs:Resource, …) says nothing.
META = (RDF, RDFS, OWL)
#: Types from the modelling vocabulary that individuals carry.
INDIVIDUAL_TYPES = (OWL + "Thing", OWL + "NamedIndividual")


def inferred_quads(quads: Iterable, *, background: Iterable, graph: str, source: str) -> list:
    """The new triples the OWL 2 RL closure of ``background`` + ``quads`` holds about the
    resources of ``quads``, in ``graph``.

    ``background`` is what the triples are read with: the ontology, and the concepts of other
    studies that they may mention. The own resources of ``quads`` are the IRIs and blank nodes in
    subject or object position that the background does not mention. A triple of the closure is
    kept when it mentions one of them (as subject or object), is in neither input, and is not noise:

    * not about a schema term: its subject is not typed by a class of RDF, RDFS or OWL (a
      class, property, datatype, restriction, ontology …), so no re-derived TBox;
    * not ``x owl:sameAs x``, and not ``x rdf:type C`` with C in RDF, RDFS or OWL
      (``owl:Thing``, ``rdfs:Resource``);
    * its subject is an IRI or an own blank node, and so is its object if it is a blank node: no
      literal subjects, no references to the ontology's blank nodes (the anonymous union class of
      a domain) or to the reasoner's own.

    Kept, then: inverses (``clkg:hasCase``, ``clkg:hasEvidence``), super-properties
    (``sepio:has_evidence``), chains, the super-classes of asserted types (``prov:Entity``,
    ``org:Organization``, ``clkg:MemberGroup``) and the types that domains and ranges give: each
    is a fact about the own resources that the ontology states, and none repeats a triple of the
    inputs, which a query over the union of the graphs would count twice. Called with the
    ontology as ``quads`` and an empty background, it gives what the ontology entails about its
    own individuals (the framework concepts).

    :raises InputError: the rules find background and quads inconsistent (e.g. a resource in two
        disjoint classes); the problems name ``source``.
    """
    import owlrl
    import rdflib
    from pyoxigraph import NamedNode

    dataset = {rdflib_triple(q) for q in quads}
    schema = {rdflib_triple(q) for q in background}
    given = dataset | schema
    closure = rdflib.Graph()
    for triple in given:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    errors = sorted(str(m) for m in closure.objects(None, owlrl.Namespaces.ERRNS.error))
    if errors:
        raise InputError([Problem(source, f"is inconsistent with the ontology (OWL 2 RL): {e}") for e in errors])

    def meta(term) -> bool:
        return isinstance(term, rdflib.URIRef) and str(term).startswith(META)

    schema_terms = {s for s, o in closure.subject_objects(rdflib.RDF.type)
                    if meta(o) and str(o) not in INDIVIDUAL_TYPES}
    mentioned = {t for s, _, o in schema for t in (s, o)}
    own = {t for s, _, o in dataset for t in (s, o)
           if isinstance(t, (rdflib.URIRef, rdflib.BNode))} - mentioned - schema_terms

    def kept(s, p, o) -> bool:
        return ((s in own or o in own)
                and (s in own or isinstance(s, rdflib.URIRef)) and s not in schema_terms
                and (o in own or not isinstance(o, rdflib.BNode))
                and not (p == rdflib.OWL.sameAs and s == o)
                and not (p == rdflib.RDF.type and meta(o)))

    name = NamedNode(graph)
    return [_quad(triple, name) for triple in set(closure) - given if kept(*triple)]


def rdflib_triple(quad) -> tuple:
    """The triple of a pyoxigraph quad, as rdflib terms."""
    return _term(quad.subject), _term(quad.predicate), _term(quad.object)


def _term(term):
    """A pyoxigraph term as rdflib's (lexical forms kept as they are)."""
    import rdflib
    from pyoxigraph import BlankNode, NamedNode

    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    datatype = term.datatype.value
    return rdflib.Literal(term.value, lang=term.language,
                          datatype=None if term.language or datatype == XSD_STRING else datatype,
                          normalize=False)


def _quad(triple, graph):
    import rdflib
    from pyoxigraph import BlankNode, Literal, NamedNode, Quad

    def back(term):
        if isinstance(term, rdflib.URIRef):
            return NamedNode(str(term))
        if isinstance(term, rdflib.BNode):
            return BlankNode(str(term))
        if term.language:
            return Literal(str(term), language=term.language)
        return Literal(str(term), datatype=NamedNode(term.datatype) if term.datatype else None)

    return Quad(*map(back, triple), graph)
