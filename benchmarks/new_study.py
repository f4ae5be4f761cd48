"""One new study against stores of growing size: does validation stay under 1 s, and flat?

    python benchmarks/new_study.py                       # stores of 0, 33 and 330 studies
    python benchmarks/new_study.py --studies 0 100 1000 --repeat 5 --work /tmp/bench-new

A new study is validated against the concepts of every study in the store (``clkg validate NEW``
reads the store's prefixes, then the part of its concept index the study names, and runs the
shapes on the new dataset with it). This benchmark builds stores of the synthetic corpus of ``benchmarks/generate.py``, in
which every study brings its own codebook (so the index grows with the store), and times, in a
fresh process per repeat: opening the store read-only, reading its prefixes, reading the new
dataset, reading the part of the concept index it needs, and validating it (the first validation builds the shapes; the second
shows the steady cost). The whole ``clkg validate NEW`` and ``clkg load NEW`` commands are timed
too. The stores are filled without validation (the corpus is valid by construction); that
filling is not measured. Results: benchmarks/new-study-results.md (``--output`` to change).
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import write_corpus  # noqa: E402


def fill(path: Path, folders: list[Path]) -> int:
    """A store holding the ontology and ``folders``, written 50 studies per transaction; its triples."""
    from clkg.loaders import read_dataset
    from clkg.pipeline import dataset_graph_quads, shipped_graphs
    from clkg.prefixes import converter
    from clkg.store import open_store

    with open_store(f"oxigraph:{path}") as store:
        store.replace_graphs(shipped_graphs())
        for start in range(0, len(folders), 50):
            datasets = [read_dataset(f, prefixes=converter()) for f in folders[start:start + 50]]
            store.replace_graphs({d.graph: dataset_graph_quads(d) for d in datasets})
        return sum(store.graph_sizes().values())


def child(spec: str, new: str) -> None:
    """The steps of ``clkg validate NEW``, timed one by one (run in a fresh process)."""
    t = [time.perf_counter()]

    def lap() -> float:
        t.append(time.perf_counter())
        return t[-1] - t[-2]

    import pyshacl  # noqa: F401 - the libraries validation needs, imported up front to time them

    from clkg.loaders import read_dataset
    from clkg.prefixes import converter, store_prefixes
    from clkg.store import open_store
    from clkg.validation import concept_index, shapes_graph, validate
    steps = {"imports": lap()}
    shapes_graph()
    steps["shapes"] = lap()
    store = open_store(spec, read_only=True)
    steps["open"] = lap()
    prefixes = converter(store_prefixes(store))
    steps["prefixes"] = lap()
    dataset = read_dataset(new, prefixes=prefixes)
    steps["read"] = lap()
    index = concept_index(store, [dataset])
    steps["index"] = lap()
    report = validate(dataset, context=index)
    steps["validate_first"] = lap()
    validate(dataset, context=index)
    steps["validate_again"] = lap()
    steps |= {"index_quads": len(index), "dataset_quads": len(dataset.quads), "conforms": report.conforms}
    print(json.dumps(steps))


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n{result.stderr}")
    return seconds, result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--studies", type=int, nargs="+", default=[0, 33, 330], help="store sizes, in studies")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work", type=Path, help="keep the corpus and stores here (default: a temporary folder)")
    p.add_argument("--output", type=Path, default=HERE / "new-study-results.md")
    args = p.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="clkg-new-study-"))
    try:
        largest = max(args.studies)
        corpus = write_corpus(work / "corpus", studies=largest, seed=args.seed)
        new = write_corpus(work / "new", studies=1, seed=args.seed + 1, start=largest)[0]
        clkg = [sys.executable, "-m", "clkg"]
        rows = []
        for n in sorted(args.studies):
            path = work / f"store-{n}"
            shutil.rmtree(path, ignore_errors=True)
            triples = fill(path, corpus[:n])
            spec = f"oxigraph:{path}"
            steps = [json.loads(timed([sys.executable, __file__, "--child", spec, str(new)])[1].stdout)
                     for _ in range(args.repeat)]
            validate_wall = statistics.median(timed([*clkg, "--store", spec, "validate", "-q", str(new)])[0]
                                              for _ in range(args.repeat))
            # --force: a load of the same study again would be found unchanged and do nothing (timed apart)
            load_wall = statistics.median(timed([*clkg, "--store", spec, "load", "-q", "--force", str(new)])[0]
                                          for _ in range(args.repeat))
            unchanged_wall = statistics.median(timed([*clkg, "--store", spec, "load", "-q", str(new)])[0]
                                               for _ in range(args.repeat))
            row = {"studies": n, "triples": triples, "validate_wall": validate_wall, "load_wall": load_wall,
                   "unchanged_wall": unchanged_wall,
                   **{k: statistics.median(s[k] for s in steps) for k in steps[0] if k != "conforms"},
                   "conforms": all(s["conforms"] for s in steps)}
            rows.append(row)
            print(f"{n} studies ({triples:,} triples): index {row['index']:.2f} s ({row['index_quads']:,} quads), "
                  f"validate {row['validate_again']:.2f} s; clkg validate {validate_wall:.2f} s, "
                  f"clkg load {load_wall:.2f} s", file=sys.stderr)
        args.output.write_text(report(rows, args), encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def report(rows: list[dict], args) -> str:
    from importlib.metadata import version

    lines = [
        "# One new study against stores of growing size",
        "",
        f"Produced by `python benchmarks/new_study.py --studies {' '.join(map(str, args.studies))} "
        f"--repeat {args.repeat}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; medians of "
        f"{args.repeat} runs, each step in a fresh process (the module docstring says what is measured); "
        f"load average at the end {os.getloadavg()[0]:.1f} on 2 cores. "
        f"The new study: {rows[0]['dataset_quads']:,} quads, with its own codebook.",
        "",
        "| studies in the store | triples | concept index (quads) | read the prefixes | read the new study "
        "| read its concept index | validate (first / again) | work: prefixes + read + index + validate again "
        "| whole `clkg validate NEW` "
        "| whole `clkg load --force NEW` | `clkg load NEW` again, unchanged |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        work = r["prefixes"] + r["read"] + r["index"] + r["validate_again"]
        lines.append(f"| {r['studies']:,} | {r['triples']:,} | {r['index_quads']:,} | {r['prefixes']:.3f} s "
                     f"| {r['read']:.3f} s | {r['index']:.3f} s | {r['validate_first']:.3f} / {r['validate_again']:.3f} s "
                     f"| {work:.3f} s | {r['validate_wall']:.2f} s | {r['load_wall']:.2f} s "
                     f"| {r['unchanged_wall']:.2f} s |")
    lines += [
        "",
        f"Not in the work column: imports ({rows[0]['imports']:.2f} s) and reading the shapes "
        f"({rows[0]['shapes']:.2f} s), paid once per process whatever the store holds.",
        "",
        "| | |", "| --- | --- |",
        f"| CPU | {platform.machine()}, 2 cores shared with other processes |",
        f"| Python | {platform.python_version()} |",
        *(f"| {name} | {version(name)} |" for name in ("clkg", "pyoxigraph", "pyshacl", "rdflib")),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:4])
        sys.exit(0)
    sys.exit(main())
