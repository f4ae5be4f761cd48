"""The one way data gets into a store, for ``clkg build``, ``clkg load`` and ``clkg.load()``:
read → check identities → validate → write, nothing written unless every step passes.

Identities: a study_id follows :data:`STUDY_ID` and is none of :data:`RESERVED`; it equals the name
of the folder, workbook or file it comes from; no two inputs share one; and a study already in
the store is replaced only from the source it was loaded from (its graph records it), or with
``replace=True``.
"""

import re
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from clkg.errors import InputError, Invalid, Problem
from clkg.namespaces import GRAPH, HAS_VERSION, ONTOLOGY_GRAPH, ONTOLOGY_INFERRED_GRAPH, dataset_graph, inferred_graph

#: What a study_id may be: the name of its graph (https://w3id.org/clkg/graph/{study_id}).
STUDY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
#: Graph names clkg keeps for itself (compared case-insensitively).
RESERVED = frozenset({"ontology", "alignments", "shapes", "inferred", "staging", "void", "scheme",
                      "schemes", "data", "graph", "sparql", "query", "queries"})
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
# the graphs asked for, by VALUES: prov:wasDerivedFrom is on every row of every study too
_SOURCES = f"""SELECT ?graph ?source WHERE {{{{ VALUES ?graph {{{{ {{graphs}} }}}}
  GRAPH ?graph {{{{ ?graph <{PROV_DERIVED}> ?source }}}} }}}}"""


@dataclass
class LoadReport:
    """What a load wrote: the datasets (their ``quads`` emptied once written, so that a large load
    does not hold them twice), their validation reports, triples per graph written; or, when
    nothing changed since the last load of the same inputs, the inputs left ``unchanged``."""

    datasets: list = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    validations: list = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)
    consistency: str = "not checked"
    seconds: float = 0.0

    @property
    def records(self) -> dict[str, dict[str, int]]:
        """{graph: {table: records}} of each dataset."""
        return {ds.graph: ds.records for ds in self.datasets}

    @property
    def cells(self) -> dict[str, int]:
        """{graph: non-empty input cells} of each dataset."""
        return {ds.graph: ds.cells for ds in self.datasets}


def dataset_paths(data_dir: Path) -> list[Path]:
    """The datasets under a data folder: sub-folders and .xlsx workbooks.

    :raises InputError: the folder does not exist.
    """
    if not data_dir.is_dir():
        raise InputError([Problem(str(data_dir), "is not a folder of case datasets")])
    return sorted(p for p in data_dir.iterdir()
                  if (p.is_dir() and not p.name.startswith(".")) or p.suffix.lower() == ".xlsx")


def source_iri(path: str | Path) -> str:
    """The file: IRI a graph records as the source it was loaded from."""
    return Path(path).resolve().as_uri()


def source_name(path: Path) -> str:
    """The name a dataset's study_id must have: its folder's, or its file's without the suffix."""
    return path.name if path.is_dir() else path.stem


def load(store, paths, *, replace: bool = False, reason: bool = False, force: bool = False,
         log=lambda line: None) -> LoadReport:
    """Read, check and validate datasets, then write them and what the ontology entails about
    them (:func:`dataset_inferred_quads`), with the shipped ontology and alignments (when the
    store lacks them or holds another version), in one transaction.

    When the store's graphs of these datasets were written by a load with the same fingerprint
    (:func:`clkg.fingerprint.load_fingerprint`: the same files, clkg, shapes, ontology, ``reason``
    and other studies), nothing is read, validated or written: the report lists them as
    ``unchanged``.

    :param replace: replace a study that the store holds from another source.
    :param reason: also check the whole with HermiT (needs Java).
    :param force: load even when nothing changed.
    :raises InputError: an input cannot be read, its identity clashes, or it is inconsistent
        with the ontology.
    :raises Invalid: a dataset does not conform to the shapes.
    :raises StoreError: the store cannot be read or written.
    """
    from clkg.fingerprint import load_fingerprint, recorded
    from clkg.loaders import Limits, read_datasets
    from clkg.prefixes import converter, store_prefixes
    from clkg.parallel import mapped
    from clkg.validation import concept_index, validate
    from clkg.vocabulary import ontology_quads

    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    limits = Limits.from_env()
    written = recorded(store)
    graphs_named = [dataset_graph(source_name(p)) for p in paths]  # a study_id must equal its source's name
    fingerprint = load_fingerprint(paths, graphs=graphs_named, store_fingerprints=written, reason=reason,
                                   limits=limits)
    if (paths and not force and fingerprint is not None and recorded_digest(store) == shipped_digest()
            and all(written.get(g) == fingerprint for g in graphs_named)):
        return LoadReport(unchanged=[str(p) for p in paths], consistency="not checked again: nothing changed",
                          seconds=time.perf_counter() - started)
    datasets = read_datasets(paths, prefixes=converter(store_prefixes(store)), limits=limits)
    sources = recorded_sources(store, [ds.graph for ds in datasets])
    check_identities(datasets, sources, replace=replace)
    replacing = {g for ds in datasets for g in (ds.graph, inferred_graph(ds.study_id))}
    index = [q for q in concept_index(store, datasets) if q.graph_name.value not in replacing]
    report = LoadReport(datasets=datasets)
    context = batch_context(datasets, index)
    report.validations = mapped(partial(validate, context=context), datasets, description="validating",
                                unit="dataset")
    if not all(v.conforms for v in report.validations):
        raise Invalid([v for v in report.validations if not v.conforms])
    if reason:
        report.consistency = _consistency([*ontology_quads(), *index, *(q for ds in datasets for q in ds.quads)],
                                          where=", ".join(map(str, paths)), log=log)
    log("inferring what the ontology entails (OWL 2 RL) …")
    # the shipped ontology and alignments, when the store lacks them or holds another version
    graphs = shipped_graphs() if recorded_digest(store) != shipped_digest() else {}
    graphs.update(dataset_graphs(datasets, context=context, fingerprint=fingerprint))
    report.graphs = {g: len(q) for g, q in graphs.items()}
    log(f"writing {sum(report.graphs.values()):,} triples to {len(graphs)} graphs …")
    for ds in datasets:  # the graphs hold the quads now, and let each go once it is written
        ds.quads = []
    store.replace_graphs({g: _drained(quads) for g, quads in graphs.items()})
    report.seconds = time.perf_counter() - started
    return report


def _drained(quads: list):
    """The quads, each taken out of the list as it is given (so that nothing else keeps it)."""
    quads.reverse()
    while quads:
        yield quads.pop()


def build(store, *, data_dir: Path, reason: bool = True, replace: bool = False, force: bool = False,
          log=lambda line: None) -> LoadReport:
    """:func:`load` every dataset under ``data_dir`` (sub-folders and .xlsx workbooks), checked
    with HermiT unless ``reason=False``.

    :raises InputError: the folder or a dataset cannot be read, or identities clash.
    :raises Invalid: a dataset does not conform to the shapes.
    :raises StoreError: the store cannot be read or written.
    """
    report = load(store, dataset_paths(Path(data_dir)), replace=replace, reason=reason, force=force, log=log)
    if not reason and not report.unchanged:
        report.consistency = "skipped (--no-reason)"
    return report


def shipped_digest() -> str:
    """A fingerprint of the shipped ontology files and alignments (their bytes)."""
    import hashlib

    from clkg.resources import alignment_file, ontology_files

    digest = hashlib.sha256()
    for path in [*ontology_files(), alignment_file()]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return "sha256:" + digest.hexdigest()


def recorded_digest(store) -> str | None:
    """The fingerprint of the ontology the store holds, if any."""
    _, rows = store.select(f"SELECT ?v WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ <{ONTOLOGY_GRAPH}> <{HAS_VERSION}> ?v }} }}")
    return rows[0][0].value if rows else None


def shipped_graphs() -> dict[str, list]:
    """{graph: quads} of the shipped ontology (with its fingerprint), what it entails about its
    own individuals (the framework concepts) and the alignments, as a load writes them.

    :raises InputError: the OWL 2 RL rules find the ontology inconsistent (a broken installation).
    """
    from pyoxigraph import Literal, NamedNode, Quad

    from clkg.alignments import ALIGNMENTS_GRAPH, alignment_quads
    from clkg.inference import inferred_quads
    from clkg.resources import shipped_folder
    from clkg.vocabulary import ontology_quads

    graph = NamedNode(ONTOLOGY_GRAPH)
    stamp = Quad(graph, NamedNode(HAS_VERSION), Literal(shipped_digest()), graph)
    entailed = inferred_quads(ontology_quads(), background=(), graph=ONTOLOGY_INFERRED_GRAPH,
                              source=str(shipped_folder("ontology")))
    return {ONTOLOGY_GRAPH: [*ontology_quads(), stamp], ONTOLOGY_INFERRED_GRAPH: entailed,
            ALIGNMENTS_GRAPH: list(alignment_quads())}


def batch_context(datasets, index=()):
    """The :class:`clkg.validation.Context` datasets loaded together are read with (validated and
    reasoned over): the concepts of the store's other studies (``index``, as
    :func:`clkg.validation.concept_index` gives them) and of the datasets."""
    from clkg.validation import Context, concept_quads

    return Context([*index, *(q for ds in datasets for q in concept_quads(ds.quads))])


def dataset_graphs(datasets, *, context=None, fingerprint: str | None = None) -> dict[str, list]:
    """{graph: quads} of each dataset (:func:`dataset_graph_quads`) and of what the ontology
    entails about it (:func:`dataset_inferred_quads`), as a load writes them.

    :param context: what the datasets are read with (:func:`batch_context`; by default, each other).
    :param fingerprint: the load's (:mod:`clkg.fingerprint`), recorded in each dataset's graph.
    :raises InputError: a dataset is inconsistent with the ontology (OWL 2 RL).
    """
    from clkg.parallel import mapped

    context = batch_context(datasets) if context is None else context
    inferred = mapped(partial(dataset_inferred_quads, context=context), datasets, description="inferring",
                      unit="dataset")
    graphs = {}
    for ds, entailed in zip(datasets, inferred):
        graphs[ds.graph] = dataset_graph_quads(ds, fingerprint=fingerprint)
        graphs[inferred_graph(ds.study_id)] = entailed
    return graphs


def dataset_graph_quads(dataset, *, fingerprint: str | None = None) -> list:
    """A dataset's quads as a load writes them: with the source its graph was loaded from, and the
    load's fingerprint if given."""
    from pyoxigraph import Literal, NamedNode, Quad

    graph = NamedNode(dataset.graph)
    stamp = [Quad(graph, NamedNode(HAS_VERSION), Literal(fingerprint), graph)] if fingerprint else []
    return [*dataset.quads, Quad(graph, NamedNode(PROV_DERIVED), NamedNode(source_iri(dataset.source)), graph),
            *stamp]


def dataset_inferred_quads(dataset, *, context=()) -> list:
    """What the ontology entails about a dataset's own resources, as a load writes it to
    ``…/graph/{study_id}/inferred`` (OWL 2 RL, :func:`clkg.inference.inferred_quads`).

    :param context: the concepts the dataset is read with (the other studies'), as validation
        gets them (a :class:`clkg.validation.Context` or its quads).
    :raises InputError: the dataset is inconsistent with the ontology (OWL 2 RL).
    """
    from clkg.inference import inferred_quads
    from clkg.validation import Context
    from clkg.vocabulary import ontology_quads

    # the concepts the dataset names, not all the store's: the cost stays that of one study
    relevant = Context.of(context).relevant(dataset)
    return inferred_quads(dataset.quads, background=[*ontology_quads(), *relevant],
                          graph=inferred_graph(dataset.study_id), source=str(dataset.source))


def recorded_sources(store, graphs: list[str]) -> dict[str, str]:
    """{graph IRI: file: IRI of the source it was loaded from} of those of the study ``graphs``
    that the store holds."""
    from pyoxigraph import NamedNode

    if not graphs:
        return {}
    _, rows = store.select(_SOURCES.format(graphs=" ".join(str(NamedNode(g)) for g in graphs)))
    return {graph.value: source.value for graph, source in rows}


def check_identities(datasets, sources: dict[str, str], *, replace: bool) -> None:
    """Every study_id well formed, not reserved, its input's name, given once, and not taking
    another source's place in the store.

    :raises InputError: naming each clash and what to change.
    """
    problems, seen = [], {}
    for ds in datasets:
        name = source_name(Path(ds.source))
        if not STUDY_ID.fullmatch(ds.study_id):
            problems.append(Problem(ds.source, f"study_id {ds.study_id!r} must be 1-100 letters, digits, "
                                    "'-' or '_', starting with a letter or digit"))
        elif ds.study_id.lower() in RESERVED:
            problems.append(Problem(ds.source, f"study_id {ds.study_id!r} is reserved by clkg (reserved: "
                                    + ", ".join(sorted(RESERVED)) + "): choose another"))
        elif name != ds.study_id:
            problems.append(Problem(ds.source, f"study_id {ds.study_id!r} does not match the name "
                                    f"{name!r}: rename the folder or file to {ds.study_id!r}, or change "
                                    "study_id"))
        if ds.study_id in seen:
            problems.append(Problem(ds.source, f"study_id {ds.study_id!r} is also the study of "
                                    f"{seen[ds.study_id]}: give each study once"))
        seen.setdefault(ds.study_id, ds.source)
        held = sources.get(ds.graph)
        if held and held != source_iri(ds.source) and not replace:
            problems.append(Problem(ds.source, f"the store already holds study {ds.study_id!r}, loaded from "
                                    f"{held}: pass --replace (replace=True) to replace it with this one"))
    if problems:
        raise InputError(problems)


def _consistency(quads, *, where: str, log) -> str:
    from clkg.reasoning import Inconsistent, check_consistency, java_available

    if not java_available():
        return "not checked: Java is not installed (HermiT needs it)"
    log("checking consistency with HermiT …")
    try:
        check_consistency(quads)
    except Inconsistent as err:
        raise InputError([Problem(where, str(err))]) from None
    return "consistent, no unsatisfiable classes (HermiT)"
