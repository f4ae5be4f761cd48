"""What the ontology entails about each study: clkg's rules against owlrl, time and equality.

    python benchmarks/inference.py [DATASET …] [--synthetic 1] [--repeat 3]

Every dataset under data/ (or those named), the invented study of the tests and ``--synthetic``
studies of ``benchmarks/generate.py`` are read together and reasoned over as ``clkg load`` does
(each with the ontology and the concepts of the others it names). For each, printed: input
triples, inferred triples, median wall and CPU seconds of ``clkg.inference.inferred_quads``
(the rules, with the ontology already closed) and of ``owlrl_inferred_quads`` (owlrl on the
whole), and whether the two give the same quads. The first line is the ontology itself: its
closure by the rules from cold, what every process pays once.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))


def timed(function, repeat: int) -> tuple[float, float, list]:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    import clkg.inference as inference
    from clkg.loaders import read_datasets
    from clkg.namespaces import ONTOLOGY_INFERRED_GRAPH, inferred_graph
    from clkg.pipeline import batch_context
    from clkg.prefixes import converter
        from clkg.vocabulary import ontology_quads
    from generate import write_corpus

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", nargs="*", type=Path)
    parser.add_argument("--synthetic", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folders = args.datasets or sorted(p for p in (ROOT / "data").iterdir() if p.is_dir())
    folders.append(ROOT / "tests" / "fixtures" / "invented-inter-clustering")
    folders += write_corpus(Path(tempfile.mkdtemp()), studies=args.synthetic, seed=1)

    print("| input | triples | inferred | rules wall s | rules CPU s | owlrl wall s | owlrl CPU s | same quads |")
    print("|---|---|---|---|---|---|---|---|")
    ontology = ontology_quads()

    def cold():
        inference._CACHE.clear()
        return inference.inferred_quads(ontology, background=(), graph=ONTOLOGY_INFERRED_GRAPH, source="ontology")

    runs = [("ontology (cold)", ontology, (), ONTOLOGY_INFERRED_GRAPH, cold)]
    datasets = read_datasets(folders, prefixes=converter())
    context = batch_context(datasets)
    for ds in datasets:
        background = [*ontology, *context.relevant(ds)]
        runs.append((ds.study_id, ds.quads, background, inferred_graph(ds.study_id), None))
    for name, quads, background, graph, rules in runs:
        rules = rules or (lambda: inference.inferred_quads(quads, background=background, graph=graph, source=name))
        mine = timed(rules, args.repeat)
        theirs = timed(lambda: inference.owlrl_inferred_quads(quads, background=background, graph=graph, source=name),
                       args.repeat)
        print(f"| {name} | {len(quads):,} | {len(mine[2]):,} | {mine[0]:.3f} | {mine[1]:.3f} | "
              f"{theirs[0]:.2f} | {theirs[1]:.2f} | {'yes' if set(mine[2]) == set(theirs[2]) else 'NO'} |")


if __name__ == "__main__":
    main()
