"""The files clkg ships: ontology, shapes, queries and the case-data format."""

from importlib.resources import files
from pathlib import Path


def _shipped(package: str, suffix: str) -> list[Path]:
    return sorted(Path(str(p)) for p in files(package).iterdir() if p.name.endswith(suffix))


def ontology_files() -> list[Path]:
    """The Turtle files of the ontology and its concept schemes."""
    return _shipped("clkg.ontology", ".ttl")


def case_data_format() -> Path:
    """The CSVW metadata file that defines and maps the case-data tables."""
    return Path(str(files("clkg.loaders") / "case-data.csv-metadata.json"))


def query_files() -> list[Path]:
    """The saved SPARQL queries."""
    return _shipped("clkg.queries", ".rq")


def shape_files() -> list[Path]:
    """The SHACL shapes that validate a dataset."""
    return _shipped("clkg.shapes", ".ttl")


def alignment_file() -> Path:
    """The SSSOM mapping set that aligns the concepts of the two frameworks."""
    return Path(str(files("clkg.ontology") / "alignments.sssom.tsv"))
