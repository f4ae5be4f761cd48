"""IRIs that name clkg's own namespaces, datasets and graphs."""

CLKG = "https://w3id.org/clkg/ontology#"
DATA = "https://w3id.org/clkg/data/"
GRAPH = "https://w3id.org/clkg/graph/"
ONTOLOGY_GRAPH = GRAPH + "ontology"
#: what the ontology entails about its own individuals (the framework concepts)
ONTOLOGY_INFERRED_GRAPH = ONTOLOGY_GRAPH + "/inferred"
#: what a graph records its fingerprint with (the ontology graph, each study graph: clkg.fingerprint)
HAS_VERSION = "http://purl.org/dc/terms/hasVersion"


def dataset_base(study_id: str) -> str:
    """Base IRI of the resources of one dataset."""
    return f"{DATA}{study_id}/"


def dataset_graph(study_id: str) -> str:
    """IRI of the named graph that holds one dataset."""
    return f"{GRAPH}{study_id}"


def inferred_graph(study_id: str) -> str:
    """IRI of the named graph that holds what the ontology entails about one dataset."""
    return f"{dataset_graph(study_id)}/inferred"


def concept_namespace(study_id: str) -> str:
    """Namespace of a study's own concepts (its codebook); the scheme is ``{namespace}scheme``."""
    return f"{DATA}{study_id}/concept/"
