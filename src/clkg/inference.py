"""What the ontology entails about a dataset, as triples a plain SPARQL query can match.

The ontology states inverses (``clkg:hasCase`` / ``clkg:caseOf``), a property chain
(``clkg:occursAtLevel`` = ``clkg:emergesAtLevel`` o ``clkg:atOrAboveLevel``), sub-classes
(``clkg:CommunityOfPracticeType`` ⊑ ``clkg:MemberGroup``), sub-properties, symmetric properties
and domains and ranges; a query over the asserted triples alone misses their consequences. They
are the OWL 2 RL closure as owlrl (the rules of the W3C profile, on rdflib) computes it, which
:func:`owlrl_inferred_quads` runs on the whole input: 4-5 s a study, nearly all spent re-deriving
the ontology. :func:`inferred_quads` gives the same triples (a test holds it to that on every
dataset) in a fraction of the time: owlrl closes the ontology once per process
(:func:`_ontology_closure`, cached by content) and the rules that the closed ontology makes
about individuals run over the study's triples only, in plain Python sets (:func:`_closure`).
A study whose triples would change the schema itself (a class or property axiom, an
``owl:sameAs`` between two resources) goes through owlrl whole. The Rust reasoner
``reasonable`` is faster still but implements no property chains and derives wrong
``clkg:occursAtLevel`` triples (docs/model.md has the measurements).
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
    from pyoxigraph import BlankNode, NamedNode, Quad

    from clkg.namespaces import ONTOLOGY_GRAPH

    quads, background = list(quads), list(background)
    ontology = frozenset(q for q in (*background, *quads) if q.graph_name.value == ONTOLOGY_GRAPH)
    schema = _ontology_closure(ontology)
    dataset = {(q.subject, q.predicate, q.object) for q in quads}
    context = {(q.subject, q.predicate, q.object) for q in background}
    given = dataset | context
    try:
        new, errors = _closure(schema, given - schema.closure)
    except _Unsupported:
        return owlrl_inferred_quads(quads, background=background, graph=graph, source=source)
    if errors:
        raise InputError([Problem(source, f"is inconsistent with the ontology (OWL 2 RL): {e}")
                          for e in sorted(errors)])

    def meta(term) -> bool:
        return isinstance(term, NamedNode) and term.value.startswith(META)

    schema_terms = schema.schema_terms | {s for s, p, o in new if p == _V.type and meta(o)
                                          and o.value not in INDIVIDUAL_TYPES}
    mentioned = {t for s, _, o in context for t in (s, o)}
    own = {t for s, _, o in dataset for t in (s, o)
           if isinstance(t, (NamedNode, BlankNode))} - mentioned - schema_terms

    def kept(s, p, o) -> bool:
        return ((s in own or o in own)
                and (s in own or isinstance(s, NamedNode)) and s not in schema_terms
                and (o in own or not isinstance(o, BlankNode))
                and not (p == _V.sameAs and s == o)
                and not (p == _V.type and meta(o)))

    name = NamedNode(graph)
    return [Quad(*triple, name) for triples in (schema.derived, new) for triple in triples
            if triple not in given and kept(*triple)]

def owlrl_inferred_quads(quads: Iterable, *, background: Iterable, graph: str, source: str) -> list:
    """What :func:`inferred_quads` gives, computed by owlrl over background + quads whole: the
    reference the faster rules are held to, and the way for inputs they do not cover.

    :raises InputError: owlrl finds background and quads inconsistent; the problems name ``source``.
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
    from pyoxigraph import Quad

    return Quad(*map(_oxigraph_term, triple), graph)


def _oxigraph_term(term):
    """An rdflib term as pyoxigraph's."""
    import rdflib
    from pyoxigraph import BlankNode, Literal, NamedNode

    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return BlankNode(str(term))
    if term.language:
        return Literal(str(term), language=term.language)
    return Literal(str(term), datatype=NamedNode(term.datatype) if term.datatype else None)


# -- the OWL 2 RL rules about individuals, over a closed ontology

class _Unsupported(Exception):
    """The input would change what :class:`_Schema` read off the ontology: owlrl has to run."""


class _Vocabulary:
    """The RDF, RDFS and OWL terms the rules read, as pyoxigraph terms (made on first use)."""

    def __getattr__(self, name):
        from pyoxigraph import NamedNode

        if name.startswith("_"):
            raise AttributeError(name)
        namespace = RDF if name in ("type", "first", "rest", "Property") else (
            RDFS if name in ("subClassOf", "subPropertyOf", "domain", "range", "Datatype") else OWL)
        value = NamedNode(namespace + name)
        setattr(self, name, value)
        return value


_V = _Vocabulary()
#: Predicates of the triples the rules read as axioms (schema), besides rdf:type.
_AXIOMS = ("subClassOf", "subPropertyOf", "domain", "range", "equivalentClass", "equivalentProperty",
           "inverseOf", "propertyChainAxiom", "disjointWith", "propertyDisjointWith", "members",
           "distinctMembers", "hasKey", "onProperty", "onClass", "someValuesFrom", "allValuesFrom",
           "hasValue", "maxCardinality", "maxQualifiedCardinality", "intersectionOf", "unionOf",
           "complementOf", "oneOf", "sourceIndividual", "assertionProperty", "targetIndividual",
           "targetValue", "first", "rest")
#: Classes whose instances the rules read as axioms (``p a owl:TransitiveProperty`` …).
_AXIOM_TYPES = ("Class", "ObjectProperty", "DatatypeProperty", "Property", "FunctionalProperty",
                "InverseFunctionalProperty", "IrreflexiveProperty", "SymmetricProperty",
                "AsymmetricProperty", "TransitiveProperty", "AllDisjointProperties",
                "AllDisjointClasses", "AllDifferent")
#: Constructs whose rules :func:`_closure` does not implement: an ontology with one goes to owlrl.
_UNIMPLEMENTED = ("intersectionOf", "complementOf", "someValuesFrom", "allValuesFrom", "hasValue",
                  "maxCardinality", "maxQualifiedCardinality", "hasKey", "sourceIndividual",
                  "propertyDisjointWith")
_UNIMPLEMENTED_TYPES = ("IrreflexiveProperty", "AsymmetricProperty", "AllDisjointProperties")


class _Schema:
    """What the OWL 2 RL rules need of the ontology's closure, as owlrl computes it.

    ``closure`` is every triple of it and ``derived`` those not in the ontology; the rest are
    look-up tables (each from a term to what a triple about it entails), the types the rules give
    the literals of the ontology, and its schema terms. ``supported`` is false when the ontology
    uses a construct whose rules :func:`_closure` does not implement, or is itself inconsistent.
    """

    def __init__(self, closure: set, given: set, errors: list, lists):
        from collections import defaultdict

        from pyoxigraph import NamedNode

        v = _V
        self.closure = frozenset(closure)
        self.derived = tuple(self.closure - given)
        self.objects, self.subjects = defaultdict(set), defaultdict(set)
        for s, p, o in closure:
            self.objects[s, p].add(o)
            self.subjects[p, o].add(s)

        def objects(s, p):
            return self.objects.get((s, p), ())

        def having(p):
            return ((s, o) for s, pp, o in closure if pp == p)

        def typed(c):
            return self.subjects.get((v.type, c), ())

        self.property_implies = defaultdict(set)  # p -> the properties x p y gives x … y
        for p1, p2 in having(v.subPropertyOf):
            if p1 != p2:
                self.property_implies[p1].add(p2)
        for p1, p2 in having(v.equivalentProperty):
            if p1 != p2:
                self.property_implies[p1].add(p2)
                self.property_implies[p2].add(p1)
        self.inverses = defaultdict(set)
        for p1, p2 in having(v.inverseOf):
            self.inverses[p1].add(p2)
            self.inverses[p2].add(p1)
        self.domains, self.ranges = defaultdict(set), defaultdict(set)
        for p, c in having(v.domain):
            self.domains[p].add(c)
        for p, c in having(v.range):
            self.ranges[p].add(c)
        self.symmetric, self.transitive = set(typed(v.SymmetricProperty)), set(typed(v.TransitiveProperty))
        self.functional = set(typed(v.FunctionalProperty))
        self.inverse_functional = set(typed(v.InverseFunctionalProperty))
        self.chains = defaultdict(list)  # p -> (chain property, chain, position of p in it)
        for p, head in having(v.propertyChainAxiom):
            chain = lists(head)
            for position, step in enumerate(chain):
                self.chains[step].append((p, chain, position))
        self.class_implies = defaultdict(set)  # c -> the classes x a c gives x
        for c1, c2 in having(v.subClassOf):
            if c1 != c2:
                self.class_implies[c1].add(c2)
        for c1, c2 in having(v.equivalentClass):
            if c1 != c2:
                self.class_implies[c1].add(c2)
                self.class_implies[c2].add(c1)
        for c, head in having(v.unionOf):
            for member in lists(head):
                self.class_implies[member].add(c)
        self.disjoint = defaultdict(list)  # c -> (c1, c2) pairs naming it, as the errors name them
        pairs = list(having(v.disjointWith))
        for x in typed(v.AllDisjointClasses):
            for head in objects(x, v.members):
                classes = lists(head)
                pairs += [(c1, c2) for i, c1 in enumerate(classes) for c2 in classes[i + 1:]]
        for c1, c2 in pairs:
            self.disjoint[c1].append((c1, c2))
            self.disjoint[c2].append((c1, c2))
        self.schema_terms = frozenset(s for s, p, o in closure if p == v.type and isinstance(o, NamedNode)
                                      and o.value.startswith(META) and o.value not in INDIVIDUAL_TYPES)

        def owl(term, names) -> bool:
            return isinstance(term, NamedNode) and term.value.startswith(OWL) and term.value[len(OWL):] in names

        def unimplemented(s, p, o) -> bool:
            return (not isinstance(p, NamedNode) or owl(p, _UNIMPLEMENTED)
                    or p == v.type and owl(o, _UNIMPLEMENTED_TYPES) or p == v.sameAs and s != o)

        try:
            self.literals, self.datatypes = _literal_datatypes(given, ())[:2]
        except _Unsupported:
            self.literals, self.datatypes, errors = set(), set(), ["the ontology states owl:sameAs"]
        self.supported = not errors and not any(unimplemented(*t) for t in closure)


_SCHEMAS: dict = {}


def _ontology_closure(ontology: frozenset) -> _Schema:
    """The :class:`_Schema` of the ontology's quads, closed by owlrl once per content.

    Triples owlrl removes at the end (with a blank node as predicate) are kept, as they are
    during its rounds; an ontology that has them is not ``supported``.
    """
    import owlrl
    import rdflib

    if ontology not in _SCHEMAS:
        class Unpruned(owlrl.OWLRL_Semantics):
            def post_process(self):
                pass

        closure = rdflib.Graph()
        for quad in ontology:
            closure.add(rdflib_triple(quad))
        given = set(closure)
        owlrl.DeductiveClosure(Unpruned).expand(closure)
        errors = list(closure.objects(None, owlrl.Namespaces.ERRNS.error))
        terms = {}

        def back(term):
            if term not in terms:
                terms[term] = _oxigraph_term(term)
            return terms[term]

        def lists(head) -> list:
            return [back(t) for t in closure.items(_term(head))]

        triples = {tuple(map(back, t)) for t in closure}
        _SCHEMAS.clear()  # one ontology at a time
        _SCHEMAS[ontology] = _Schema(triples, {tuple(map(back, t)) for t in given}, errors, lists)
    return _SCHEMAS[ontology]


def _literal_datatypes(triples, known) -> tuple[set, set, list]:
    """What owlrl's one-time datatype rules (dt-type1, dt-type2, dt-not-type and the datatype
    subsumptions) make of ``triples``, past the literals in ``known``: the literals of an OWL 2 RL
    datatype, the datatypes in use, and the triples they add.

    :raises _Unsupported: ``triples`` state an ``owl:sameAs`` (which owlrl's rules read here too).
    """
    from owlrl.XsdDatatypes import OWL_RL_Datatypes, OWL_Datatype_Subsumptions
    from pyoxigraph import Literal, NamedNode

    datatypes = {NamedNode(str(d)) for d in OWL_RL_Datatypes}
    subsumptions = {NamedNode(str(d)): [NamedNode(str(u)) for u in up] for d, up in OWL_Datatype_Subsumptions.items()}
    literals, used, added = set(), set(), []

    def typed(resource, datatype):
        for up in subsumptions.get(datatype, ()):
            added.extend([(resource, _V.type, up), (up, _V.type, _V.Datatype)])
            used.add(up)

    for s, p, o in triples:
        if isinstance(o, Literal) and not o.language and o.datatype.value != XSD_STRING \
                and o.datatype in datatypes and o not in known and o not in literals:
            literals.add(o)
            used.add(o.datatype)
            added.append((o, _V.type, o.datatype))
            typed(o, o.datatype)
        elif p == _V.type and o in datatypes:
            used.add(o)
            added.append((o, _V.type, _V.Datatype))
            typed(s, o)
        elif p == _V.sameAs:
            raise _Unsupported
    return literals, used, added


def _closure(schema: _Schema, triples: set) -> tuple[set, set]:
    """The triples the OWL 2 RL rules add to the closed ontology ``schema`` with ``triples`` (new
    to it), and the inconsistencies they find, each as owlrl words it.

    The rules that read an axiom take it from ``schema``; the rules of equality reduce to
    ``x owl:sameAs x`` as long as no two resources are the same.

    :raises _Unsupported: the ontology is not ``supported``, or a triple (given or derived) is an
        axiom, or states that two resources are the same: owlrl has to close the whole.
    """
    from collections import defaultdict, deque

    from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
    from owlrl.DatatypeHandling import AltXSDToPYTHON
    from pyoxigraph import Literal, NamedNode
    from rdflib import URIRef

    v = _V
    if not schema.supported:
        raise _Unsupported
    axioms = {getattr(v, name) for name in _AXIOMS}
    axiom_types = {getattr(v, name) for name in _AXIOM_TYPES}
    new, queue = set(), deque()
    objects, subjects = defaultdict(set), defaultdict(set)
    errors = set()

    def add(triple, *, axiom_ok=False):
        s, p, o = triple
        if triple in schema.closure or triple in new or isinstance(p, Literal):
            return  # owlrl drops triples with a literal predicate
        if not axiom_ok and (not isinstance(p, NamedNode) or p in axioms or p == v.type and o in axiom_types or p == v.sameAs and s != o):
            raise _Unsupported
        new.add(triple)
        objects[s, p].add(o)
        subjects[p, o].add(s)
        queue.append(triple)

    def objects_of(s, p):
        return schema.objects.get((s, p), set()) | objects.get((s, p), set())

    def subjects_of(p, o):
        return schema.subjects.get((p, o), set()) | subjects.get((p, o), set())

    def holds(triple):
        return triple in schema.closure or triple in new

    literals, used, added = _literal_datatypes(triples, schema.literals)
    for literal in literals:
        try:
            AltXSDToPYTHON.get(URIRef(literal.datatype.value), lambda value: value)(literal.value)
        except ValueError:
            errors.add(f"Lexical value of the literal '{literal.value}' does not match its datatype "
                       f"({literal.datatype.value})")
    for triple in [*triples, *added]:
        add(triple)
    used |= schema.datatypes
    disjoint_datatypes = [tuple(NamedNode(str(t)) for t in (c1, c2)) for c1, _, c2 in OWLRL_Datatypes_Disjointness]
    disjoint_datatypes = [(c1, c2) for c1, c2 in disjoint_datatypes if c1 in used and c2 in used
                          and (c1, v.disjointWith, c2) not in schema.closure]
    for c1, c2 in disjoint_datatypes:
        add((c1, v.disjointWith, c2), axiom_ok=True)

    while queue:
        s, p, o = queue.popleft()
        for term in (s, p, o):  # eq-ref
            add((term, v.sameAs, term))
        for c in schema.domains.get(p, ()):  # prp-dom
            add((s, v.type, c))
        for c in schema.ranges.get(p, ()):  # prp-rng
            add((o, v.type, c))
        if p in schema.functional and any(other != o for other in objects_of(s, p)):  # prp-fp
            raise _Unsupported
        if p in schema.inverse_functional and any(other != s for other in subjects_of(p, o)):  # prp-ifp
            raise _Unsupported
        if p in schema.symmetric:  # prp-symp
            add((o, p, s))
        if p in schema.transitive:  # prp-trp
            for z in objects_of(o, p):
                add((s, p, z))
            for w in subjects_of(p, s):
                add((w, p, o))
        for implied in schema.property_implies.get(p, ()):  # prp-spo1, prp-eqp1, prp-eqp2
            add((s, implied, o))
        for inverse in schema.inverses.get(p, ()):  # prp-inv1, prp-inv2
            add((o, inverse, s))
        for chained, chain, position in schema.chains.get(p, ()):  # prp-spo2
            starts, ends = {s}, {o}
            for step in reversed(chain[:position]):
                starts = {x for y in starts for x in subjects_of(step, y)}
            for step in chain[position + 1:]:
                ends = {z for y in ends for z in objects_of(y, step)}
            for start in starts:
                for end in ends:
                    add((start, chained, end))
        if p == v.type:
            for implied in schema.class_implies.get(o, ()):  # cax-sco, cax-eqc1, cax-eqc2, cls-uni
                add((s, v.type, implied))

    for s, p, o in new:  # the checks: cax-dw, cax-adc, cls-nothing2, eq-diff1
        if p == v.type:
            if o == v.Nothing:
                errors.add(f"{s.value} is defined of type 'Nothing'")
            for c1, c2 in schema.disjoint.get(o, ()):
                if holds((s, v.type, c2 if o == c1 else c1)):
                    errors.add(f"Disjoint classes {c1.value} and {c2.value} have a common individual {s.value}")
        elif p == v.differentFrom and s == o:
            errors.add(f"'sameAs' and 'differentFrom' cannot be used on the same subject-object pair: "
                       f"({s.value}, {o.value})")
    for c1, c2 in disjoint_datatypes:
        for x in subjects_of(v.type, c1) & subjects_of(v.type, c2):
            errors.add(f"Disjoint classes {c1.value} and {c2.value} have a common individual {x.value}")
    return new, errors
