"""Read a case dataset that is already RDF (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD)."""

from pathlib import Path

from clkg.errors import InputError, Problem
from clkg.namespaces import dataset_graph

from .dataset import Dataset

FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG",
           ".rdf": "RDF_XML", ".owl": "RDF_XML", ".jsonld": "JSON_LD"}
STUDY = "https://w3id.org/clkg/ontology#Study"
IDENTIFIER = "http://purl.org/dc/terms/identifier"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def read_rdf_file(path: Path) -> Dataset:
    """All triples of the file (named graphs merged) as one dataset, named by its study's identifier."""
    from pyoxigraph import NamedNode, Quad, RdfFormat, parse

    try:
        triples = [(q.subject, q.predicate, q.object)
                   for q in parse(path=str(path), format=getattr(RdfFormat, FORMATS[path.suffix.lower()]))]
    except (SyntaxError, ValueError) as err:
        raise InputError([Problem(str(path), f"is not valid RDF: {err}")]) from None
    studies = {s for s, p, o in triples if p.value == RDF_TYPE and o.value == STUDY}
    ids = {o.value for s, p, o in triples if s in studies and p.value == IDENTIFIER}
    if len(ids) != 1:
        raise InputError([Problem(str(path), "must describe exactly one clkg:Study with a dcterms:identifier "
                                  f"(found {len(ids)})")])
    study_id = ids.pop()
    graph = NamedNode(dataset_graph(study_id))
    return Dataset(study_id, graph.value, str(path), [Quad(s, p, o, graph) for s, p, o in triples])
