"""Fill an embedded store with a synthetic corpus fast, for benchmarks that need a big store.

    python benchmarks/fill.py STORE --studies 330 [--seed 1] [--workers 2] [--nquads FILE]

The corpus is benchmarks/generate.py's. Each study is read and mapped, and what the ontology
entails about it inferred, exactly as `clkg load` does (clkg.pipeline.dataset_graphs, in
--workers processes); SHACL validation is skipped (the generator writes conforming data, which
`clkg load` checks in the tests and benchmarks/run.py), and the quads, with the shipped ontology
and alignments, go in with pyoxigraph's `bulk_load` into a new store. The result holds what
`clkg load CORPUS/*` would have written, in minutes instead of an hour; it is written to
STORE.partial first and renamed when whole. --nquads also keeps the quads as an N-Quads file.
"""

import argparse
import multiprocessing
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _graphs(path: str) -> bytes:
    """The graphs `clkg load` writes for one study, as N-Quads (no other study in context: the
    synthetic studies use the seed frameworks and their own codebooks only)."""
    from pyoxigraph import RdfFormat, serialize

    from clkg.loaders import read_datasets
    from clkg.pipeline import dataset_graphs
    from clkg.prefixes import converter

    datasets = read_datasets([Path(path)], prefixes=converter({}))
    quads = [q for graph in dataset_graphs(datasets).values() for q in graph]
    return serialize(quads, format=RdfFormat.N_QUADS)


def main() -> int:
    from generate import write_corpus

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--studies", type=int, default=330)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--nquads", type=Path)
    args = parser.parse_args()
    if args.store.exists():
        parser.error(f"{args.store} exists: fill makes a new store")

    from pyoxigraph import RdfFormat, Store, serialize

    from clkg.pipeline import shipped_graphs

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="clkg-fill-") as work:
        paths = [str(p) for p in write_corpus(Path(work) / "corpus", studies=args.studies, seed=args.seed)]
        nquads = Path(args.nquads or Path(work) / "corpus.nq")
        with nquads.open("wb") as out:
            out.write(serialize([q for g in shipped_graphs().values() for q in g], format=RdfFormat.N_QUADS))
            with multiprocessing.Pool(args.workers) as pool:
                for done, chunk in enumerate(pool.imap(_graphs, paths, chunksize=1), 1):
                    out.write(chunk)
                    if done % 10 == 0 or done == len(paths):
                        print(f"{done}/{len(paths)} studies mapped and inferred "
                              f"({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
        partial = args.store.with_name(args.store.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        store = Store(str(partial))
        store.bulk_load(path=str(nquads), format=RdfFormat.N_QUADS)
        store.flush()
        store.optimize()
        count = len(store)
        del store
        partial.rename(args.store)
    print(f"{args.store}: {count:,} quads from {args.studies} studies in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
