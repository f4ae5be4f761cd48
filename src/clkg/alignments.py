"""Alignments between the two frameworks: the SSSOM mapping set ``ontology/alignments.sssom.tsv``.

Each mapping becomes, in the graph ``https://w3id.org/clkg/graph/alignments``:

* the plain triple ``subject predicate object`` (e.g. ``slf:dead-souls skos:relatedMatch plb:…``),
  so that queries can follow alignments with ``skos:relatedMatch|skos:closeMatch|…``;
* a mapping resource typed ``owl:Axiom`` (``owl:annotatedSource`` / ``owl:annotatedProperty`` /
  ``owl:annotatedTarget``) carrying the justification, author and confidence as the SSSOM RDF
  serialisation names them (``sssom:mapping_justification``, ``sssom:author_id``,
  ``sssom:confidence``) and the evidence as ``rdfs:comment``.

The file is SSSOM TSV: a ``#``-commented YAML header (``curie_map``, ``mapping_set_id``, ``license``,
…) followed by a tab-separated table. It is read here with the csv module and PyYAML; the
``sssom`` library checks the same file in the tests (it is too heavy a dependency for ``clkg build``).
"""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from clkg.errors import InputError, Problem
from clkg.namespaces import CLKG, GRAPH

ALIGNMENTS_GRAPH = GRAPH + "alignments"
MAPPING_BASE = "https://w3id.org/clkg/alignments/mapping/"
SSSOM = "https://w3id.org/sssom/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"

#: The mapping predicates a clkg alignment may use (SKOS mapping properties).
PREDICATES = tuple(SKOS + p for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch"))
#: Columns every row must fill (the SSSOM required slots plus author and evidence).
REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification", "author_id", "comment")
#: Every column a row may have: the required ones, labels and sources, and the columns of
#: ``clkg suggest-alignments`` (scores, tool, rule), so that a suggestion accepted moves in as it is.
COLUMNS = REQUIRED + ("subject_label", "subject_source", "object_label", "object_source", "confidence",
                      "similarity_score", "similarity_measure", "mapping_tool", "mapping_tool_version",
                      "curation_rule_text")
#: A CURIE (prefix and local part) as the mapping set writes its identifiers.
CURIE = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*):([^\s:/][^\s]*|)")


@dataclass(frozen=True)
class Mapping:
    """One row of the mapping set, with CURIEs expanded to IRIs."""

    subject: str
    predicate: str
    object: str
    justification: str
    authors: tuple[str, ...]
    confidence: float | None
    comment: str
    subject_label: str = ""
    object_label: str = ""
    row: int = 0

    def iri(self, base: str = MAPPING_BASE) -> str:
        """A stable IRI for the mapping under ``base``, made of the three terms' local names."""
        def part(iri: str) -> str:
            return re.sub(r"[^A-Za-z0-9_-]+", "-", re.split(r"[/#]", iri.rstrip("/#"))[-1])
        scheme = lambda iri: re.split(r"[/#]", iri.rstrip("/#"))[-2]
        return (f"{base}{scheme(self.subject)}-{part(self.subject)}--{part(self.predicate)}"
                f"--{scheme(self.object)}-{part(self.object)}")


@dataclass(frozen=True)
class MappingSet:
    metadata: dict
    mappings: tuple[Mapping, ...]

    @property
    def id(self) -> str:
        return self.metadata["mapping_set_id"]


def read_mapping_set(path: Path | None = None, *, limits=None) -> MappingSet:
    """Read and check an SSSOM TSV file (default: the shipped alignments) within ``limits``
    (a :class:`clkg.loaders.Limits`; default: its defaults).

    :raises InputError: a file that is no regular file, passes a limit, is no UTF-8 text or
        holds a row that cannot be read.
    """
    import yaml

    from clkg.loaders.limits import Limits, read_file
    from clkg.resources import alignment_file

    path = Path(path) if path is not None else alignment_file()
    where = str(path)
    limits = limits or Limits()
    try:
        lines = read_file(path, limits).decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as err:
        raise InputError([Problem(where, f"is not UTF-8 text (byte 0x{err.object[err.start]:02x})")]) from None
    header = [line[1:] for line in lines if line.startswith("#")]
    body_start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    try:
        metadata = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as err:
        raise InputError([Problem(where, f"the #-commented metadata is not valid YAML: {err}")]) from None
    problems = []
    if not isinstance(metadata, dict):
        raise InputError([Problem(where, "the #-commented metadata must be a YAML mapping")])
    for key in ("mapping_set_id", "license", "curie_map"):
        if not metadata.get(key):
            problems.append(Problem(where, f"metadata lacks {key}"))
    for key in ("mapping_set_id", "license", "mapping_set_title", "mapping_set_description"):
        if not isinstance(metadata.get(key, ""), (str, int, float)):  # a YAML alias tree would print for ever
            problems.append(Problem(where, f"metadata {key} must be text"))
    curie_map = metadata.get("curie_map") or {}
    if not isinstance(curie_map, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                       for k, v in curie_map.items()):
        problems.append(Problem(where, "metadata curie_map must map each prefix to a namespace IRI"))
    if problems:
        raise InputError(problems)

    def expand(curie: str, row: int, column: str) -> str | None:
        match = CURIE.fullmatch(curie.strip())
        if not match or match[1] not in curie_map:
            problems.append(Problem(where, f"{curie!r} is not a CURIE with a prefix of the curie_map "
                                    f"({', '.join(sorted(curie_map))})", row, column))
            return None
        return curie_map[match[1]] + match[2]

    csv.field_size_limit(limits.cell_chars)
    reader = csv.reader(io.StringIO("\n".join(lines[body_start:])), delimiter="\t", quoting=csv.QUOTE_NONE)
    try:
        table = list(reader)
    except csv.Error as err:
        message = str(err)
        if "field larger than field limit" in message:
            message = limits.over("cell_chars", "a cell is too long")
        raise InputError([Problem(where, message)]) from None
    if len(table) > limits.rows + 1:
        raise InputError([Problem(where, limits.over("rows", f"has {len(table) - 1:,} rows"))])
    if not table:
        raise InputError([Problem(where, "has no mapping table")])
    columns = table[0]
    unknown = [c for c in columns if c not in COLUMNS]
    missing = [c for c in REQUIRED if c not in columns]
    if unknown or missing:
        raise InputError([Problem(where, f"unknown column {c!r}", body_start + 1) for c in unknown]
                         + [Problem(where, f"lacks the column {c!r}", body_start + 1) for c in missing])
    mappings, seen = [], {}
    for offset, cells in enumerate(table[1:], start=2):
        row = body_start + offset
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            problems.append(Problem(where, f"has {len(cells)} cells, the header {len(columns)}", row))
            continue
        record = dict(zip(columns, (cell.strip() for cell in cells)))
        empty = [c for c in REQUIRED if not record[c]]
        for c in empty:
            problems.append(Problem(where, "is empty", row, c))
        if empty:
            continue
        terms = {c: expand(record[c], row, c) for c in ("subject_id", "predicate_id", "object_id",
                                                         "mapping_justification")}
        authors = tuple(expand(a, row, "author_id") for a in record["author_id"].split("|"))
        numbers = {}
        for column in ("confidence", "similarity_score"):
            if record.get(column):
                try:
                    numbers[column] = float(record[column])
                except ValueError:
                    numbers[column] = -1.0
                if not 0.0 <= numbers[column] <= 1.0:
                    problems.append(Problem(where, f"{column} must be a number from 0 to 1, not "
                                            f"{record[column]!r}", row, column))
        confidence = numbers.get("confidence")
        if terms["predicate_id"] and terms["predicate_id"] not in PREDICATES:
            problems.append(Problem(where, f"{record['predicate_id']!r} is not a SKOS mapping property "
                                    "(skos:exactMatch, closeMatch, broadMatch, narrowMatch, relatedMatch)",
                                    row, "predicate_id"))
        if None in terms.values() or None in authors:
            continue
        key = (terms["subject_id"], terms["predicate_id"], terms["object_id"])
        if key in seen:
            problems.append(Problem(where, f"repeats the mapping of row {seen[key]}", row))
            continue
        seen[key] = row
        mappings.append(Mapping(terms["subject_id"], terms["predicate_id"], terms["object_id"],
                                terms["mapping_justification"], authors, confidence, record["comment"],
                                record.get("subject_label", ""), record.get("object_label", ""), row))
    if problems:
        raise InputError(problems)
    return MappingSet(metadata, tuple(mappings))


def alignment_quads(path: Path | None = None) -> list:
    """The shipped mapping set as quads in the alignments graph; every mapped concept must be in
    the ontology.

    :raises InputError: a row that cannot be read, or that maps a concept the ontology lacks.
    """
    from pyoxigraph import NamedNode

    from clkg.resources import alignment_file
    from clkg.vocabulary import ontology_quads

    path = Path(path) if path is not None else alignment_file()
    mapping_set = read_mapping_set(path)
    known = {q.subject.value for q in ontology_quads() if isinstance(q.subject, NamedNode)}
    problems = [Problem(str(path), f"{iri} is not a concept of the ontology", m.row, column)
                for m in mapping_set.mappings
                for iri, column in ((m.subject, "subject_id"), (m.object, "object_id")) if iri not in known]
    if problems:
        raise InputError(problems)
    return _quads(mapping_set, graph=ALIGNMENTS_GRAPH, set_iri=mapping_set.id, node_base=MAPPING_BASE)


def dataset_alignment_quads(path: Path, dataset, *, limits=None) -> list:
    """A dataset's own mapping set (``alignments.sssom.tsv`` in its folder) as quads in its graph.

    Each subject must be a concept of the study's codebook (a dataset speaks only of itself);
    that each object is a concept of the ontology, of a study in the store or of a dataset loaded
    with it is checked by the shapes, which see all of them. Each mapping is traced to its row.

    :raises InputError: a file that :func:`read_mapping_set` refuses, or a row whose subject is
        not the study's own.
    """
    from pyoxigraph import NamedNode, Quad

    from clkg.namespaces import concept_namespace, dataset_base

    mapping_set = read_mapping_set(path, limits=limits)
    own = concept_namespace(dataset.study_id)
    problems = [Problem(str(path), f"{m.subject} is not a concept of this study ({own}…): a dataset maps "
                        "its own concepts; swap subject and object (and broadMatch/narrowMatch)", m.row,
                        "subject_id") for m in mapping_set.mappings if not m.subject.startswith(own)]
    if problems:
        raise InputError(problems)
    base = dataset_base(dataset.study_id)
    quads = _quads(mapping_set, graph=dataset.graph, set_iri=base + "alignments",
                   node_base=base + "mapping/")
    graph, derived = NamedNode(dataset.graph), NamedNode(PROV_DERIVED)
    for m in mapping_set.mappings:
        row = NamedNode(f"{base}{path.name}#row={m.row}")
        dataset.origins[row.value] = ("alignments", str(path), m.row)
        quads += [Quad(NamedNode(m.iri(base + "mapping/")), derived, row, graph),
                  Quad(row, NamedNode(RDF + "type"), NamedNode(CLKG + "SourceRow"), graph)]
    return quads


def _quads(mapping_set: MappingSet, *, graph: str, set_iri: str, node_base: str) -> list:
    """Each mapping as a plain triple and as an owl:Axiom carrying its justification, authors,
    confidence and evidence; the set with its licence, title and creators."""
    from pyoxigraph import Literal, NamedNode, Quad

    graph = NamedNode(graph)
    iri = NamedNode
    quads = []

    def add(s, p, o):
        quads.append(Quad(s, p, o, graph))

    meta = mapping_set.metadata
    the_set = iri(set_iri)
    add(the_set, iri(RDF + "type"), iri(SSSOM + "MappingSet"))
    add(the_set, iri(DCTERMS + "license"), iri(str(meta["license"])))
    if set_iri != mapping_set.id:
        add(the_set, iri(DCTERMS + "identifier"), Literal(str(mapping_set.id)))
    for key, prop in (("mapping_set_title", DCTERMS + "title"), ("mapping_set_description", DCTERMS + "description")):
        if meta.get(key):
            add(the_set, iri(prop), Literal(" ".join(str(meta[key]).split())))
    creators = set()
    for m in mapping_set.mappings:
        s, p, o = iri(m.subject), iri(m.predicate), iri(m.object)
        add(s, p, o)
        node = iri(m.iri(node_base))
        add(node, iri(RDF + "type"), iri(OWL + "Axiom"))
        add(node, iri(OWL + "annotatedSource"), s)
        add(node, iri(OWL + "annotatedProperty"), p)
        add(node, iri(OWL + "annotatedTarget"), o)
        add(node, iri(SSSOM + "mapping_justification"), iri(m.justification))
        for author in m.authors:
            add(node, iri(SSSOM + "author_id"), iri(author))
            creators.add(author)
        if m.confidence is not None:
            add(node, iri(SSSOM + "confidence"), Literal(repr(m.confidence), datatype=iri(XSD + "double")))
        add(node, iri(RDFS + "comment"), Literal(m.comment))
        add(node, iri(DCTERMS + "isPartOf"), the_set)
    for author in sorted(creators):
        add(the_set, iri(DCTERMS + "creator"), iri(author))
        if author == CLKG + "contributors":
            add(iri(author), iri(RDFS + "label"), Literal("clkg contributors", language="en"))
    return quads
