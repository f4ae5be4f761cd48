"""What the ontology entails about a dataset, as triples a plain SPARQL query can match.

The ontology states inverses (``clkg:hasCase`` / ``clkg:caseOf``), a property chain
(``clkg:occursAtLevel`` = ``clkg:emergesAtLevel`` o ``clkg:atOrAboveLevel``), sub-classes
(``clkg:CommunityOfPracticeType`` ⊑ ``clkg:MemberGroup``), sub-properties, symmetric properties
and domains and ranges; a query over the asserted triples alone misses their consequences. They
are materialised as the OWL 2 RL closure that owlrl (the rules of the W3C profile, on rdflib)
computes: :func:`owlrl_inferred_quads` runs owlrl on ontology + study, 4-5 s a study, nearly
all of it re-deriving the ontology. :func:`inferred_quads` gives the same triples (tests hold it
to owlrl's on every dataset) in a tenth of a second or so: the same rules, applied to each new
triple only (:class:`_Closure`), close the ontology once per process (cached by its content) and
then each study over it. Inputs they do not cover (two resources that are the same, constructs
the ontology does not use, such as ``owl:someValuesFrom``) go to owlrl whole. The Rust reasoner
``reasonable`` implements no property chains and derives wrong ``clkg:occursAtLevel`` triples
(docs/model.md has the measurements).
"""

from collections.abc import Iterable

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

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

    The quads of both in the ontology graph are closed once per process (:func:`_ontology_closure`)
    and the rest over that closure (:class:`_Closure`); an input the rules here do not cover goes
    to :func:`owlrl_inferred_quads`, which gives the same quads, slower.

    :raises InputError: the rules find background and quads inconsistent (e.g. a resource in two
        disjoint classes); the problems name ``source``.
    """
    from clkg.namespaces import ONTOLOGY_GRAPH

    quads, background = list(quads), list(background)
    ontology = frozenset(q for q in (*background, *quads) if q.graph_name.value == ONTOLOGY_GRAPH)
    base = _ontology_closure(ontology)
    dataset = {(q.subject, q.predicate, q.object) for q in quads}
    context = {(q.subject, q.predicate, q.object) for q in background}
    given = dataset | context
    try:
        if base is None:
            raise _Unsupported
        closure = _Closure(base, given)
    except _Unsupported:
        return owlrl_inferred_quads(quads, background=background, graph=graph, source=source)
    if closure.errors:
        raise InputError([Problem(source, f"is inconsistent with the ontology (OWL 2 RL): {e}")
                          for e in sorted(closure.errors)])
    meta, new = _meta, closure.new
    schema_terms = base.schema_terms | {s for s, p, o in new if p == _V.type and meta(o)
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
    return [Quad(*triple, name) for triples in (base.derived, new) for triple in triples
            if triple not in given and kept(*triple)]


def owlrl_inferred_quads(quads: Iterable, *, background: Iterable, graph: str, source: str) -> list:
    """What :func:`inferred_quads` gives, computed by owlrl over background + quads whole: the
    reference the faster rules are held to, and the way for inputs they do not cover.

    :raises InputError: owlrl finds background and quads inconsistent; the problems name ``source``.
    """
    import owlrl
    import rdflib

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

    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    datatype = term.datatype.value
    return rdflib.Literal(term.value, lang=term.language,
                          datatype=None if term.language or datatype == XSD_STRING else datatype,
                          normalize=False)


def _quad(triple, graph):
    return Quad(*map(_oxigraph_term, triple), graph)


def _oxigraph_term(term):
    """An rdflib term as pyoxigraph's."""
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return BlankNode(str(term))
    if term.language:
        return Literal(str(term), language=term.language)
    return Literal(str(term), datatype=NamedNode(term.datatype) if term.datatype else None)


# -- owlrl's rules, applied as triples arrive

class _Unsupported(Exception):
    """The input uses what :class:`_Closure` does not implement: owlrl has to run."""


class _Vocabulary:
    """The RDF, RDFS and OWL terms the rules read, as pyoxigraph terms (made on first use)."""

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        namespace = RDF if name in ("type", "first", "rest", "nil", "Property") else (
            RDFS if name in ("subClassOf", "subPropertyOf", "domain", "range", "Datatype") else OWL)
        setattr(self, name, NamedNode(namespace + name))
        return getattr(self, name)


_V = _Vocabulary()
#: Constructs whose rules :class:`_Closure` does not implement (the ontology uses none of them).
_UNIMPLEMENTED = ("intersectionOf", "complementOf", "someValuesFrom", "allValuesFrom", "hasValue",
                  "maxCardinality", "maxQualifiedCardinality", "hasKey", "sourceIndividual",
                  "propertyDisjointWith")
_UNIMPLEMENTED_TYPES = ("IrreflexiveProperty", "AsymmetricProperty", "AllDisjointProperties")
_NOT_IMPLEMENTED = frozenset(getattr(_V, name) for name in (*_UNIMPLEMENTED, *_UNIMPLEMENTED_TYPES))
#: Predicates (and classes of properties) of the axioms :meth:`_Closure._property_rules` reads.
_PROPERTY_AXIOMS = frozenset(getattr(_V, name) for name in (
    "domain", "range", "subPropertyOf", "equivalentProperty", "inverseOf", "FunctionalProperty",
    "InverseFunctionalProperty", "SymmetricProperty", "TransitiveProperty"))
_CLASS_AXIOMS = frozenset((_V.subClassOf, _V.equivalentClass))
_CACHE: dict = {}


def _ontology_closure(ontology: frozenset):
    """The :class:`_Closure` of the ontology's quads, computed once per content; None when it
    uses a construct the rules here do not implement, or is inconsistent (owlrl runs then).
    """
    if ontology not in _CACHE:
        _CACHE.clear()  # one ontology at a time
        try:
            closure = _Closure(None, {(q.subject, q.predicate, q.object) for q in ontology})
            _CACHE[ontology] = None if closure.errors else closure
        except _Unsupported:
            _CACHE[ontology] = None
    return _CACHE[ontology]


class _Closure:
    """The OWL 2 RL closure of ``base`` (a closure, or None) + ``given`` (triples of pyoxigraph
    terms), as owlrl's ``OWLRL_Semantics`` computes it before its last step; ``errors`` are the
    inconsistencies it finds, worded as owlrl words them.

    owlrl applies every rule to every triple in rounds until a round adds nothing. The same
    fixpoint is reached here by applying to each new triple only the rules it can take part in,
    joined with the triples found so far (semi-naive evaluation), so closing a study over the
    closed ontology costs what the study adds. ``new`` holds the triples added to ``base``; a
    closure without base also keeps ``all`` of them, those not given (``derived``) and its schema
    terms, for the closures over it. The rules of equality reduce to ``x owl:sameAs x`` as long as
    no two resources are the same.

    :raises _Unsupported: the input (or what the rules derive from it) states that two resources
        are the same, has a blank node as predicate or a derived list, or uses a construct in
        :data:`_UNIMPLEMENTED`.
    """

    def __init__(self, base, given: set):
        from collections import defaultdict, deque

        self.base = base
        self.new, self.queue = set(), deque()
        self.objects, self.subjects, self.pairs = defaultdict(set), defaultdict(set), defaultdict(set)
        self.chains = defaultdict(list, {k: list(c) for k, c in base.chains.items()}) if base else defaultdict(list)
        self.unions = defaultdict(set, {k: set(u) for k, u in base.unions.items()}) if base else defaultdict(set)
        self.given, self.errors = given, set()
        self._by_property, self._by_class = {}, {}  # what the rules make of a property, a class
        self._one_time_rules()
        while self.queue:
            self._rules(*self.queue.popleft())
        self._checks()
        if base is None:  # a base: what a closure over it reads
            self.all = frozenset(self.new)
            self.derived = tuple(self.all - given)
            self.schema_terms = frozenset(s for s, p, o in self.all if p == _V.type and _meta(o)
                                          and o.value not in INDIVIDUAL_TYPES)

    # -- the triples found so far

    def holds(self, triple) -> bool:
        return triple in self.new or (self.base is not None and triple in self.base.all)

    def objects_of(self, s, p) -> list:
        mine, theirs = self.objects.get((s, p), ()), self.base.objects.get((s, p), ()) if self.base else ()
        return [*mine, *theirs]

    def subjects_of(self, p, o) -> list:
        mine, theirs = self.subjects.get((p, o), ()), self.base.subjects.get((p, o), ()) if self.base else ()
        return [*mine, *theirs]

    def pairs_of(self, p) -> list:
        return [*self.pairs.get(p, ()), *(self.base.pairs.get(p, ()) if self.base else ())]

    def items(self, head) -> list:
        """The members of an rdf:List (as rdflib's ``Graph.items`` reads one)."""
        members, seen = [], {head}
        while head is not None and head != _V.nil:
            first, rest = self.objects_of(head, _V.first), self.objects_of(head, _V.rest)
            if len(first) > 1 or len(rest) > 1:
                raise _Unsupported
            members += first
            head = rest[0] if rest else None
            if head in seen:
                raise _Unsupported
            seen.add(head)
        return members

    def add(self, s, p, o) -> None:
        v = _V
        triple = (s, p, o)
        if triple in self.new or self.base is not None and triple in self.base.all or isinstance(p, Literal):
            return  # owlrl keeps no triple with a literal predicate
        if (not isinstance(p, NamedNode) or p in _NOT_IMPLEMENTED or p == v.type and o in _NOT_IMPLEMENTED
                or p == v.sameAs and s != o or p in (v.first, v.rest) and triple not in self.given):
            raise _Unsupported
        if p in _PROPERTY_AXIOMS or p == v.type and o in _PROPERTY_AXIOMS:
            self._by_property.clear()
        elif p in _CLASS_AXIOMS:
            self._by_class.clear()
        self.new.add(triple)
        self.objects[s, p].add(o)
        self.subjects[p, o].add(s)
        self.pairs[p].add((s, o))
        self.queue.append(triple)

    # -- owlrl's rules

    def _one_time_rules(self) -> None:
        """cls-thing, cls-nothing1, prp-ap, and the datatype rules (dt-type1, dt-type2,
        dt-not-type, the subsumptions and disjointness of the datatypes in use): read off the
        given triples (all of them, the base's too), not the derived ones, as in owlrl.

        :raises _Unsupported: an ``owl:sameAs`` is given (these rules read it too).
        """
        from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
        from owlrl.DatatypeHandling import AltXSDToPYTHON
        from owlrl.OWLRL import OWLRL_Annotation_properties
        from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
        from rdflib import URIRef

        def term(iri):
            return NamedNode(str(iri))

        v = _V
        datatypes = set(map(term, OWL_RL_Datatypes))
        subsumptions = {term(d): list(map(term, up)) for d, up in OWL_Datatype_Subsumptions.items()}
        self.literals = set(self.base.literals) if self.base else set()
        self.datatypes = set(self.base.datatypes) if self.base else set()
        added = [(v.Thing, v.type, v.Class), (v.Nothing, v.type, v.Class),
                 *((term(p), v.type, v.AnnotationProperty) for p in OWLRL_Annotation_properties),
                 *((d, v.type, v.Datatype) for d in datatypes)]

        def subsumed(resource, datatype):
            for up in subsumptions.get(datatype, ()):
                added.extend([(resource, v.type, up), (up, v.type, v.Datatype)])
                self.datatypes.add(up)

        for s, p, o in self.given:
            if isinstance(o, Literal) and not o.language and o.datatype.value != XSD_STRING \
                    and o.datatype in datatypes and o not in self.literals:
                self.literals.add(o)
                self.datatypes.add(o.datatype)
                added.append((o, v.type, o.datatype))
                subsumed(o, o.datatype)
                try:
                    AltXSDToPYTHON.get(URIRef(o.datatype.value), lambda value: value)(o.value)
                except ValueError:
                    self.errors.add(f"Lexical value of the literal '{o.value}' does not match its datatype "
                                    f"({o.datatype.value})")
            elif p == v.type and o in datatypes:
                self.datatypes.add(o)
                subsumed(s, o)
            elif p == v.sameAs:
                raise _Unsupported
        for s, p, o in [*self.given, *added]:
            self.add(s, p, o)
        for c1, _, c2 in OWLRL_Datatypes_Disjointness:
            if term(c1) in self.datatypes and term(c2) in self.datatypes:
                self.add(term(c1), v.disjointWith, term(c2))

    def _rules(self, s, p, o) -> None:
        """Every rule that ``s p o`` can take part in, joined with the triples found so far."""
        v, add = _V, self.add
        for term in (s, o, p):  # eq-ref
            add(term, v.sameAs, term)
        # the triple as a fact about s and o (prp-*, cax-*, cls-uni)
        rules = self._by_property.get(p) or self._property_rules(p)
        for c in rules.domains:  # prp-dom
            add(s, v.type, c)
        for c in rules.ranges:  # prp-rng
            add(o, v.type, c)
        if rules.functional and len(self.objects_of(s, p)) > 1:  # prp-fp
            raise _Unsupported
        if rules.inverse_functional and len(self.subjects_of(p, o)) > 1:  # prp-ifp
            raise _Unsupported
        if rules.symmetric:  # prp-symp
            add(o, p, s)
        if rules.transitive:  # prp-trp
            for z in self.objects_of(o, p):
                add(s, p, z)
            for w in self.subjects_of(p, s):
                add(w, p, o)
        for p2 in rules.implied:  # prp-spo1, prp-eqp1, prp-eqp2
            add(s, p2, o)
        for p2 in rules.inverses:  # prp-inv1, prp-inv2
            add(o, p2, s)
        for chained, chain, position in self.chains.get(p, ()):  # prp-spo2
            self._chain(chained, chain, position, s, o)
        if p == v.type:
            implied = self._by_class.get(o)
            if implied is None:
                implied = self._by_class[o] = {c for c in [
                    *self.objects_of(o, v.subClassOf), *self.objects_of(o, v.equivalentClass),
                    *self.subjects_of(v.equivalentClass, o)] if c != o}
            for c in [*implied, *self.unions.get(o, ())]:  # cax-sco, cax-eqc1, cax-eqc2, cls-uni
                add(s, v.type, c)
            if o == v.Class:  # scm-cls
                add(s, v.subClassOf, s), add(s, v.equivalentClass, s)
                add(s, v.subClassOf, v.Thing), add(v.Nothing, v.subClassOf, s)
            elif o in (v.ObjectProperty, v.DatatypeProperty, v.Property):  # scm-op, scm-dp
                add(s, v.subPropertyOf, s), add(s, v.equivalentProperty, s)
            elif o == v.FunctionalProperty:
                if any(len(self.objects_of(x, s)) > 1 for x, _ in self.pairs_of(s)):
                    raise _Unsupported
            elif o == v.InverseFunctionalProperty:
                if any(len(self.subjects_of(s, y)) > 1 for _, y in self.pairs_of(s)):
                    raise _Unsupported
            elif o == v.SymmetricProperty:
                for x, y in self.pairs_of(s):
                    add(y, s, x)
            elif o == v.TransitiveProperty:
                for x, y in self.pairs_of(s):
                    for z in self.objects_of(y, s):
                        add(x, s, z)
        # the triple as an axiom (prp-*, cax-*, cls-* on the other side of the join, scm-*)
        elif p in (v.domain, v.range):
            for x, y in self.pairs_of(s):  # prp-dom, prp-rng
                add(x if p == v.domain else y, v.type, o)
            for c2 in self.objects_of(o, v.subClassOf):  # scm-dom1, scm-rng1
                if c2 != o:
                    add(s, p, c2)
            for p1 in self.subjects_of(v.subPropertyOf, s):  # scm-dom2, scm-rng2
                if p1 != s:
                    add(p1, p, o)
        elif p == v.subPropertyOf:
            for x, y in self.pairs_of(s):  # prp-spo1
                add(x, o, y)
            if s != o:
                for p3 in self.objects_of(o, v.subPropertyOf):  # scm-spo
                    if p3 != s:
                        add(s, v.subPropertyOf, p3)
                if self.holds((o, v.subPropertyOf, s)):  # scm-eqp2
                    add(s, v.equivalentProperty, o), add(o, v.equivalentProperty, s)
                for c in self.objects_of(o, v.domain):  # scm-dom2
                    add(s, v.domain, c)
                for c in self.objects_of(o, v.range):  # scm-rng2
                    add(s, v.range, c)
            for p1 in self.subjects_of(v.subPropertyOf, s):  # scm-spo, as its second premise
                if p1 != s and p1 != o:
                    add(p1, v.subPropertyOf, o)
        elif p == v.equivalentProperty and s != o:
            for x, y in self.pairs_of(s):  # prp-eqp1
                add(x, o, y)
            for x, y in self.pairs_of(o):  # prp-eqp2
                add(x, s, y)
            add(s, v.subPropertyOf, o), add(o, v.subPropertyOf, s)  # scm-eqp
        elif p == v.inverseOf:
            for x, y in self.pairs_of(s):  # prp-inv1
                add(y, o, x)
            for x, y in self.pairs_of(o):  # prp-inv2
                add(y, s, x)
        elif p == v.propertyChainAxiom:
            chain = self.items(o)
            for position, step in enumerate(chain):
                self.chains[step].append((s, chain, position))
            if chain:  # prp-spo2
                for x, y in self.pairs_of(chain[0]):
                    self._chain(s, chain, 0, x, y)
        elif p == v.subClassOf:
            if s != o:
                for x in self.subjects_of(v.type, s):  # cax-sco
                    add(x, v.type, o)
                for c3 in self.objects_of(o, v.subClassOf):  # scm-sco
                    if c3 != s:
                        add(s, v.subClassOf, c3)
                for pp in self.subjects_of(v.domain, s):  # scm-dom1
                    add(pp, v.domain, o)
                for pp in self.subjects_of(v.range, s):  # scm-rng1
                    add(pp, v.range, o)
            for c1 in self.subjects_of(v.subClassOf, s):  # scm-sco, as its second premise
                if c1 != s and c1 != o:
                    add(c1, v.subClassOf, o)
            if self.holds((o, v.subClassOf, s)):  # scm-eqc2
                add(s, v.equivalentClass, o), add(o, v.equivalentClass, s)
        elif p == v.equivalentClass and s != o:
            for x in self.subjects_of(v.type, s):  # cax-eqc1
                add(x, v.type, o)
            for x in self.subjects_of(v.type, o):  # cax-eqc2
                add(x, v.type, s)
            add(s, v.subClassOf, o), add(o, v.subClassOf, s)  # scm-eqc1
        elif p == v.unionOf:
            for member in self.items(o):
                self.unions[member].add(s)
                for x in self.subjects_of(v.type, member):  # cls-uni
                    add(x, v.type, s)
                add(member, v.subClassOf, s)  # scm-uni
        elif p == v.oneOf:
            for member in self.items(o):  # cls-oo
                add(member, v.type, s)

    def _property_rules(self, p):
        """What the rules about individuals read off the axioms about property ``p``."""
        from types import SimpleNamespace

        v = _V
        types = set(self.objects_of(p, v.type))
        rules = SimpleNamespace(
            domains=self.objects_of(p, v.domain), ranges=self.objects_of(p, v.range),
            functional=v.FunctionalProperty in types, inverse_functional=v.InverseFunctionalProperty in types,
            symmetric=v.SymmetricProperty in types, transitive=v.TransitiveProperty in types,
            implied={*self.objects_of(p, v.subPropertyOf), *(q for q in [*self.objects_of(p, v.equivalentProperty),
                                                                        *self.subjects_of(v.equivalentProperty, p)] if q != p)},
            inverses={*self.objects_of(p, v.inverseOf), *self.subjects_of(v.inverseOf, p)})
        self._by_property[p] = rules
        return rules

    def _chain(self, chained, chain, position, s, o) -> None:
        """prp-spo2 for the paths through ``s chain[position] o``."""
        starts, ends = {s}, {o}
        for step in reversed(chain[:position]):
            starts = {x for y in starts for x in self.subjects_of(step, y)}
        for step in chain[position + 1:]:
            ends = {z for y in ends for z in self.objects_of(y, step)}
        for start in starts:
            for end in ends:
                self.add(start, chained, end)

    def _checks(self) -> None:
        """The rules that find inconsistencies (cax-dw, cax-adc, cls-nothing2, eq-diff1) over what
        the new triples add: the base, closed alone, had none. (eq-diff2 and eq-diff3 need two
        resources that are the same, which :meth:`add` refuses.)"""
        v = _V
        pairs = [(c1, c2, (c1, v.disjointWith, c2) in self.new) for c1, c2 in self.pairs_of(v.disjointWith)]
        for x in self.subjects_of(v.type, v.AllDisjointClasses):
            for head in self.objects_of(x, v.members):
                fresh = (x, v.type, v.AllDisjointClasses) in self.new or (x, v.members, head) in self.new
                classes = self.items(head)
                pairs += [(c1, c2, fresh) for i, c1 in enumerate(classes) for c2 in classes[i + 1:]]
        for c1, c2, fresh in pairs:
            typed = self.subjects_of(v.type, c1) if fresh else \
                [s for s in self.subjects.get((v.type, c1), ())] + [s for s in self.subjects.get((v.type, c2), ())]
            for x in typed:
                if self.holds((x, v.type, c1)) and self.holds((x, v.type, c2)):
                    self.errors.add(f"Disjoint classes {c1.value} and {c2.value} have a common individual {x.value}")
        for x in self.subjects.get((v.type, v.Nothing), ()):
            self.errors.add(f"{x.value} is defined of type 'Nothing'")
        for x, y in self.pairs.get(v.differentFrom, ()):
            if x == y:
                self.errors.add(f"'sameAs' and 'differentFrom' cannot be used on the same subject-object pair: "
                                f"({x.value}, {y.value})")


def _meta(term) -> bool:
    return isinstance(term, NamedNode) and term.value.startswith(META)

