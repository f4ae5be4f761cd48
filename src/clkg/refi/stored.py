"""What an export needs from a store: concept schemes with their concepts, and a study's
transcripts, quotations located in them, cases and coders, as plain Python objects."""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from clkg.errors import UsageError
from clkg.namespaces import concept_namespace, dataset_graph

PREFIXES = """PREFIX clkg: <https://w3id.org/clkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""


@dataclass
class Concept:
    iri: str
    label: str
    definition: str | None
    broader: str | None
    uuid: str | None
    color: str | None
    codable: bool
    note: str | None
    groups: list[str]
    order: tuple


@dataclass
class Scheme:
    iri: str
    label: str
    concepts: list[Concept]


@dataclass
class Quotation:
    iri: str
    text: str
    start: int
    end: int
    concepts: list[str]
    uuid: str | None
    coder: tuple[str, str] | None  # (agent IRI, name)
    coded: str | None
    note: str | None
    case: str | None


@dataclass
class Transcript:
    iri: str
    name: str
    text: str
    uuid: str | None
    case: str | None
    note: str | None
    quotations: list[Quotation] = field(default_factory=list)


@dataclass
class Case:
    iri: str
    name: str
    uuid: str | None
    note: str | None
    values: dict[str, str]  # column of cases.csv -> cell


@dataclass
class Study:
    study_id: str
    title: str
    note: str | None
    scheme: Scheme | None
    transcripts: list[Transcript]
    cases: list[Case]
    left_out: dict[str, int]


def _rows(store, query: str, **bindings) -> list[dict]:
    """A SELECT's rows as dicts of strings; ``bindings`` give IRIs for ``?name`` (the store binds
    only projected variables, so these are checked IRIs written into the query)."""
    for name, iri in bindings.items():
        query = re.sub(rf"\?{name}\b", f"<{NamedNode(iri).value}>", query)
    columns, rows = store.select(PREFIXES + query)
    return [{c: (t.value if t is not None else None) for c, t in zip(columns, row)} for row in rows]


def _order(row: dict) -> tuple:
    """Rows keep the order of the table they came from (the #row=N of their source row)."""
    source = row.get("row") or ""
    number = source.rsplit("#row=", 1)[-1]
    return (int(number) if number.isdigit() else 1 << 30, row.get("notation") or "", row.get("label") or "")


SCHEMES = """SELECT ?scheme (SAMPLE(?l) AS ?label) WHERE {
  ?scheme a skos:ConceptScheme . OPTIONAL { ?scheme skos:prefLabel|rdfs:label ?l } } GROUP BY ?scheme ORDER BY ?scheme"""

CONCEPTS = """SELECT ?concept (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?definition) (SAMPLE(?b) AS ?broader)
  (SAMPLE(?u) AS ?uuid) (SAMPLE(?c) AS ?color) (SAMPLE(?k) AS ?codable) (SAMPLE(?n) AS ?note)
  (SAMPLE(?r) AS ?row) (SAMPLE(?o) AS ?notation) WHERE {
  ?concept skos:inScheme ?scheme .
  OPTIONAL { ?concept skos:prefLabel ?l } OPTIONAL { ?concept skos:definition ?d }
  OPTIONAL { ?concept skos:broader ?b . ?b skos:inScheme ?scheme }
  OPTIONAL { ?concept clkg:uuid ?u } OPTIONAL { ?concept clkg:color ?c } OPTIONAL { ?concept clkg:codable ?k }
  OPTIONAL { ?concept skos:editorialNote ?n } OPTIONAL { ?concept prov:wasDerivedFrom ?r }
  OPTIONAL { ?concept skos:notation ?o }
} GROUP BY ?concept"""

GROUPS = """SELECT ?concept ?name WHERE {
  ?concept skos:inScheme ?scheme ; clkg:inGroup ?group . ?group skos:prefLabel ?name }"""


def schemes(store) -> list[Scheme]:
    """Every concept scheme of the store, with its concepts."""
    return [scheme(store, row["scheme"], row["label"]) for row in _rows(store, SCHEMES)]


def scheme(store, iri: str, label: str | None) -> Scheme:
    groups = defaultdict(list)
    for row in _rows(store, GROUPS, scheme=iri):
        groups[row["concept"]].append(row["name"])
    concepts = [Concept(r["concept"], r["label"] or r["concept"].rsplit("/", 1)[-1], r["definition"], r["broader"],
                        r["uuid"], r["color"], r["codable"] != "false", r["note"], sorted(groups[r["concept"]]),
                        _order(r)) for r in _rows(store, CONCEPTS, scheme=iri)]
    return Scheme(iri, label or iri, sorted(concepts, key=lambda c: c.order))


STUDY = """SELECT ?id ?title ?note WHERE { GRAPH ?graph { ?study a clkg:Study ; dcterms:identifier ?id ;
  dcterms:title ?title . OPTIONAL { ?study skos:editorialNote ?note } } }"""

TRANSCRIPTS = """SELECT ?transcript ?name ?text ?uuid ?case ?note ?row WHERE { GRAPH ?graph {
  ?transcript a clkg:Transcript ; prov:value ?text .
  OPTIONAL { ?transcript rdfs:label ?name } OPTIONAL { ?transcript clkg:uuid ?uuid }
  OPTIONAL { ?transcript clkg:inCase ?case } OPTIONAL { ?transcript skos:editorialNote ?note }
  OPTIONAL { ?transcript prov:wasDerivedFrom ?row } } }"""

QUOTATIONS = """SELECT ?quotation ?transcript ?text ?start ?end ?uuid ?agent ?coder ?coded ?note ?case WHERE { GRAPH ?graph {
  ?quotation a clkg:Quotation ; oa:hasSource ?transcript ; oa:exact ?text ; oa:hasSelector ?position .
  ?position oa:start ?start ; oa:end ?end .
  OPTIONAL { ?quotation clkg:uuid ?uuid } OPTIONAL { ?quotation prov:generatedAtTime ?coded }
  OPTIONAL { ?quotation prov:wasAttributedTo ?agent . ?agent rdfs:label ?coder }
  OPTIONAL { ?quotation skos:editorialNote ?note } OPTIONAL { ?quotation clkg:inCase ?case } } }"""

SUBJECTS = """SELECT ?quotation ?concept WHERE { GRAPH ?graph { ?quotation oa:hasSource ?t ; dcterms:subject ?concept } }"""

CASES = """SELECT ?case ?name ?uuid ?note ?row WHERE { GRAPH ?graph { ?case a clkg:Case ; rdfs:label ?name .
  OPTIONAL { ?case clkg:uuid ?uuid } OPTIONAL { ?case skos:editorialNote ?note }
  OPTIONAL { ?case prov:wasDerivedFrom ?row } } }"""


def study(store, study_id: str) -> Study:
    """A study of the store, with its codebook, transcripts and the quotations located in them.

    :raises UsageError: when the store holds no such study.
    """
    graph = dataset_graph(study_id)
    found = _rows(store, STUDY, graph=graph)
    if not found:
        raise UsageError(f"the store holds no study {study_id!r}")
    own = concept_namespace(study_id) + "scheme"
    labels = {r["scheme"]: r["label"] for r in _rows(store, SCHEMES)}
    codebook = scheme(store, own, labels.get(own)) if own in labels else None
    subjects = defaultdict(list)
    for row in _rows(store, SUBJECTS, graph=graph):
        subjects[row["quotation"]].append(row["concept"])
    transcripts = {r["transcript"]: Transcript(r["transcript"], r["name"] or r["transcript"].rsplit("/", 1)[-1],
                                               r["text"], r["uuid"], r["case"], r["note"])
                   for r in sorted(_rows(store, TRANSCRIPTS, graph=graph), key=_order)}
    codable = {c.iri for c in codebook.concepts} if codebook else set()
    left_out = defaultdict(int)
    for r in sorted(_rows(store, QUOTATIONS, graph=graph), key=lambda r: (int(r["start"]), int(r["end"]), r["quotation"])):
        concepts = [c for c in subjects[r["quotation"]] if c in codable]
        left_out["codings of concepts outside the study's codebook"] += len(subjects[r["quotation"]]) - len(concepts)
        transcripts[r["transcript"]].quotations.append(Quotation(
            r["quotation"], r["text"], int(r["start"]), int(r["end"]), sorted(concepts), r["uuid"],
            (r["agent"], r["coder"]) if r["agent"] else None, r["coded"], r["note"], r["case"]))
    return Study(study_id, found[0]["title"], found[0]["note"], codebook, list(transcripts.values()),
                 _cases(store, graph), dict(left_out))


def _cases(store, graph: str) -> list[Case]:
    """The cases, each with its cells of cases.csv other than id, name, source, note and uuid."""
    from clkg.loaders.casedata import tables
    from clkg.prefixes import compress, converter, expand, store_prefixes

    conv = converter(store_prefixes(store))
    spec = tables()["cases"]
    cases = {r["case"]: Case(r["case"], r["name"], r["uuid"], r["note"], {})
             for r in sorted(_rows(store, CASES, graph=graph), key=_order)}
    for column in spec.columns:
        if column.virtual or column.name in ("case_id", "name", "source", "note", "uuid"):
            continue
        prop = expand(column.prop, conv)
        fixed = column.value.split("{", 1)[0] if column.value and not column.value.startswith("{+") else None
        namespace = expand(fixed, conv) if fixed else None
        for row in _rows(store, f"SELECT ?case ?value WHERE {{ GRAPH ?graph {{ ?case a clkg:Case ; <{prop}> ?value }} }}",
                         graph=graph):
            value = row["value"]
            if namespace is not None:
                if not value.startswith(namespace):
                    continue
                value = value[len(namespace):]
            elif column.value:
                value = compress(value, conv)
            cases[row["case"]].values.setdefault(column.name, value)
    return list(cases.values())
