"""A study's own codebook (table concepts) as a SKOS concept scheme, typed like the frameworks the
ontology ships, so that the same queries, shapes and OWL checks apply to it."""

from pyoxigraph import Literal, NamedNode, Quad

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
DEFINED_BY = NamedNode("http://www.w3.org/2000/01/rdf-schema#isDefinedBy")
NAMESPACE_URI = NamedNode("http://purl.org/vocab/vann/preferredNamespaceUri")
FRAMEWORK = NamedNode("https://w3id.org/clkg/ontology#framework")
#: The concept id that names the scheme itself (``icl:scheme``).
SCHEME_ID = "scheme"


def scheme_quads(study: NamedNode, study_row: dict, concepts: list[dict], *, prefix: str,
                 mapping) -> list[Quad]:
    """What the codebook's rows imply beyond their cells: the scheme, its namespace, its top
    concepts, each concept's rdfs:label and rdfs:isDefinedBy, its groups as SKOS collections, and
    the scheme as a framework of the study when any concept belongs to it (an empty ``scheme`` cell)."""
    g = mapping.graph
    namespace = mapping.prefixes.expand(f"{prefix}:")
    scheme = NamedNode(namespace + SCHEME_ID)
    name = study_row.get("title") or study_row["study_id"]
    quads = [Quad(scheme, RDF_TYPE, NamedNode(SKOS + "ConceptScheme"), g),
             Quad(scheme, NamedNode(SKOS + "prefLabel"), Literal(f"Codebook of {name}"), g),
             Quad(scheme, RDFS_LABEL, Literal(f"Codebook of {name}"), g),
             Quad(scheme, NamedNode(SKOS + "definition"),
                  Literal(f"The concepts of the study's own framework, as its codebook (concepts table) "
                          f"defines them, prefix {prefix}:."), g),
             Quad(scheme, NAMESPACE_URI, Literal(namespace), g)]
    from .casedata import tables

    template = next(c.value for c in tables()["concepts"].columns if c.name == "groups")
    own = False
    groups = {}
    for row in concepts:
        concept = NamedNode(namespace + row["concept_id"])
        quads += [Quad(concept, RDFS_LABEL, Literal(row["label"]), g),
                  Quad(concept, DEFINED_BY, scheme, g)]
        for name in filter(None, (n.strip() for n in row.get("groups", "").split(";"))):
            group = groups.setdefault(name, NamedNode(mapping.iri(template, {"groups": name})))
            quads.append(Quad(group, NamedNode(SKOS + "member"), concept, g))
        if row.get("scheme"):
            continue
        own = True
        quads.append(Quad(concept, NamedNode(SKOS + "inScheme"), scheme, g))
        if not row.get("broader"):
            quads += [Quad(concept, NamedNode(SKOS + "topConceptOf"), scheme, g),
                      Quad(scheme, NamedNode(SKOS + "hasTopConcept"), concept, g)]
    for name, group in groups.items():
        quads += [Quad(group, RDF_TYPE, NamedNode(SKOS + "Collection"), g),
                  Quad(group, NamedNode(SKOS + "prefLabel"), Literal(name), g)]
    if own:
        quads.append(Quad(study, FRAMEWORK, scheme, g))
    return quads
