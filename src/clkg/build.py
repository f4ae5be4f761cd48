"""``clkg build``: the ontology and every dataset under data/ into the store, checked first."""

import time
from dataclasses import dataclass, field
from pathlib import Path

from clkg.errors import InputError, Invalid, Problem
from clkg.namespaces import ONTOLOGY_GRAPH


@dataclass
class BuildReport:
    """What a build loaded: triples per graph and records per kind of each dataset."""

    graphs: dict[str, int] = field(default_factory=dict)
    records: dict[str, dict[str, int]] = field(default_factory=dict)
    cells: dict[str, int] = field(default_factory=dict)
    consistency: str = "not checked"
    seconds: float = 0.0


def dataset_paths(data_dir: Path) -> list[Path]:
    """The datasets under a data folder: sub-folders and .xlsx workbooks."""
    if not data_dir.is_dir():
        raise InputError([Problem(str(data_dir), "is not a folder of case datasets")])
    return sorted(p for p in data_dir.iterdir()
                  if (p.is_dir() and not p.name.startswith(".")) or p.suffix.lower() == ".xlsx")


def build(store, *, data_dir: Path, reason: bool = True, log=print) -> BuildReport:
    """Read everything, check it, then replace the graphs in one transaction.

    Nothing is written unless every dataset reads cleanly, conforms to the shapes and the whole
    is consistent (HermiT). Next to each graph goes what the ontology entails about it
    (``clkg.inference``): the ontology's in ``…/graph/ontology/inferred``, a dataset's in
    ``…/graph/{study_id}/inferred``.

    :raises InputError: a dataset cannot be read, does not conform, or is inconsistent.
    """
    from clkg.alignments import ALIGNMENTS_GRAPH, alignment_quads
    from clkg.inference import inferred_graphs
    from clkg.loaders import read_dataset
    from clkg.progress import progress
    from clkg.reasoning import Inconsistent, check_consistency, java_available
    from clkg.validation import validate
    from clkg.vocabulary import ontology_quads, prefixes

    started = time.perf_counter()
    report = BuildReport()
    ontology = ontology_quads()
    log(f"ontology: {len(ontology)} triples from {ONTOLOGY_GRAPH}")
    datasets, problems = [], []
    for path in progress(dataset_paths(data_dir), "reading", unit="dataset"):
        try:
            datasets.append(read_dataset(path, prefixes=prefixes()))
        except InputError as err:
            problems += err.problems
    seen: dict[str, str] = {}
    for ds in datasets:
        if ds.study_id in seen:
            problems.append(Problem(ds.source, f"study_id {ds.study_id!r} is also used by {seen[ds.study_id]}"))
        seen[ds.study_id] = ds.source
    if problems:
        raise InputError(problems)
    validations = [validate(ds) for ds in progress(datasets, "validating", unit="dataset")]
    if not all(v.conforms for v in validations):
        raise Invalid([v for v in validations if not v.conforms])
    for ds, validation in zip(datasets, validations):
        kinds = ", ".join(f"{n} {k}" for k, n in ds.records.items())
        log(f"{ds.source}: {len(ds.quads)} triples, {ds.cells} cells ({kinds})")
        log(f"  conforms to the shapes ({validation.count('Warning')} warnings, "
            f"{validation.count('Info')} infos: `clkg validate {ds.source}` lists them)")
        report.records[ds.graph], report.cells[ds.graph] = ds.records, ds.cells

    everything = list(ontology) + [q for ds in datasets for q in ds.quads]
    if not reason:
        report.consistency = "skipped (--no-reason)"
    elif not java_available():
        report.consistency = "not checked: Java is not installed (HermiT needs it)"
    else:
        log("checking consistency with HermiT …")
        try:
            check_consistency(everything)
        except Inconsistent as err:
            raise InputError([Problem(str(data_dir), str(err))]) from None
        report.consistency = "consistent, no unsatisfiable classes (HermiT)"
    log(f"consistency: {report.consistency}")

    log("inferring what the ontology entails (OWL 2 RL) …")
    inferred = inferred_graphs(datasets, ontology=ontology)
    store.replace_graphs({ONTOLOGY_GRAPH: ontology, ALIGNMENTS_GRAPH: alignment_quads(),
                          **{ds.graph: ds.quads for ds in datasets}, **inferred})
    sizes = store.graph_sizes()
    graphs = [ONTOLOGY_GRAPH, ALIGNMENTS_GRAPH, *(ds.graph for ds in datasets), *inferred]
    report.graphs = {g: sizes.get(g, 0) for g in graphs}
    report.seconds = time.perf_counter() - started
    return report
