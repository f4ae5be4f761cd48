"""The files clkg ships: ontology, shapes, queries and the case-data format."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped_folder(name: str) -> Path:
    """A top-level folder of the project (``ontology``, ``shapes``, ``queries``, ``loaders``).

    A wheel installs it inside the package; a source checkout or an editable install has it at
    the top of the repository, beside ``src/``.
    """
    installed = _PACKAGE / name
    return installed if installed.is_dir() else _PACKAGE.parents[1] / name


def _shipped(folder: str, suffix: str) -> list[Path]:
    return sorted(p for p in shipped_folder(folder).iterdir() if p.name.endswith(suffix))


def ontology_files() -> list[Path]:
    """The Turtle files of the ontology and its concept schemes."""
    return _shipped("ontology", ".ttl")


def case_data_format() -> Path:
    """The CSVW metadata file that defines and maps the case-data tables."""
    return shipped_folder("loaders") / "case-data.csv-metadata.json"


def query_files() -> list[Path]:
    """The saved SPARQL queries."""
    return _shipped("queries", ".rq")


def shape_files() -> list[Path]:
    """The SHACL shapes that validate a dataset."""
    return _shipped("shapes", ".ttl")


def alignment_file() -> Path:
    """The SSSOM mapping set that aligns the concepts of the frameworks the ontology ships."""
    return shipped_folder("ontology") / "alignments.sssom.tsv"
