"""Two OWL 2 RL reasoners on ontology + one dataset: time, closure size, and the entailments clkg needs.

    pip install reasonable          # (owlrl is a dependency of clkg)
    python benchmarks/reasoners.py [DATASET …] [--repeat 3]     # default: every dataset under data/

For each dataset, ``reasonable`` (Rust) and ``owlrl`` (Python, on rdflib) materialise the closure
of the ontology plus the dataset, from the same rdflib graph. Printed per reasoner: median wall
and CPU seconds, triples in the closure, and whether three kinds of entailment are exactly right,
each checked against the asserted triples (not against the other reasoner):

* inverse: ``?study clkg:hasCase ?case`` holds exactly for the asserted ``?case clkg:caseOf ?study``;
* chain: ``clkg:occursAtLevel`` holds exactly for ``clkg:emergesAtLevel/clkg:atOrAboveLevel``;
* subclass: the ``clkg:MemberGroup`` s are exactly those asserted and the
  ``clkg:CommunityOfPracticeType`` s.
"""

import argparse
import statistics
import time
from pathlib import Path

CLKG = "https://w3id.org/clkg/ontology#"


def asserted(graph, query: str) -> set:
    return {tuple(row) for row in graph.query(query, initNs={"clkg": CLKG})}


def expected(graph) -> dict[str, set]:
    """The entailments each reasoner must produce, read off the asserted graph with SPARQL."""
    return {
        "inverse": asserted(graph, "SELECT ?s ?c WHERE { ?c clkg:caseOf ?s }"),
        "chain": asserted(graph, "SELECT ?x ?l WHERE { ?x clkg:emergesAtLevel/clkg:atOrAboveLevel ?l }"),
        "subclass": asserted(graph, "SELECT DISTINCT ?x WHERE { VALUES ?c { clkg:CommunityOfPracticeType clkg:MemberGroup } ?x a ?c }"),
    }


def found(triples) -> dict[str, set]:
    import rdflib

    ns = rdflib.Namespace(CLKG)
    return {
        "inverse": {(s, o) for s, p, o in triples if p == ns.hasCase},
        "chain": {(s, o) for s, p, o in triples if p == ns.occursAtLevel},
        "subclass": {(s,) for s, p, o in triples if p == rdflib.RDF.type and o == ns.MemberGroup},
    }


def run_reasonable(graph) -> set:
    import reasonable

    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    return set(reasoner.reason())


def run_owlrl(graph) -> set:
    import owlrl
    import rdflib

    closure = rdflib.Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    return set(closure)


def main() -> None:
    import rdflib

    from clkg.inference import rdflib_triple
    from clkg.loaders import read_dataset
    from clkg.vocabulary import ontology_quads, prefixes

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = args.datasets or sorted(p for p in (Path(__file__).parents[1] / "data").iterdir() if p.is_dir())
    print("| dataset | input triples | reasoner | wall s | CPU s | closure triples | inverse | chain | subclass |")
    print("|---|---|---|---|---|---|---|---|---|")
    for path in paths:
        dataset = read_dataset(path, prefixes=prefixes())
        graph = rdflib.Graph()
        for quad in [*ontology_quads(), *dataset.quads]:
            graph.add(rdflib_triple(quad))
        want = expected(graph)
        for name, run in (("reasonable", run_reasonable), ("owlrl", run_owlrl)):
            walls, cpus = [], []
            for _ in range(args.repeat):
                wall, cpu = time.perf_counter(), time.process_time()
                closure = run(graph)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            got = found(closure)
            checks = " | ".join("right" if got[k] == want[k] else
                                f"wrong: {len(got[k] - want[k])} extra, {len(want[k] - got[k])} missing"
                                for k in want)
            print(f"| {path.name} | {len(graph)} | {name} | {statistics.median(walls):.2f} | "
                  f"{statistics.median(cpus):.2f} | {len(closure)} | {checks} |")


if __name__ == "__main__":
    main()
