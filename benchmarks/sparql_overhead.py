"""clkg's SPARQL store against a raw SPARQLWrapper call: every saved query on one server.

    python benchmarks/sparql_overhead.py --store /data/store-1m            # an Oxigraph server over it
    python benchmarks/sparql_overhead.py --spec sparql:http://HOST:8890/sparql#dataset=server

With ``--store`` (an embedded store folder, e.g. one benchmarks/fill.py made) an ``oxigraph
serve-read-only --union-default-graph`` is started over it on a free loopback port and stopped at
the end; with ``--spec`` a running server is used. For each case of benchmarks/queries.py
(parameters from the store's first study), alternately: (a) clkg, ``run_query`` on the store
opened once (``open_store(spec)``: the list of clkg's graphs asked for once, parameters bound,
the answer parsed into a Table), and (b) raw, SPARQLWrapper POSTing the same bound text (and, if
the spec names clkg's graphs, the same dataset) and parsing the JSON answer. Medians of
``--repeat`` runs after a warm-up; the overhead is (a) / (b) - 1 (goal: at most 10%).
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import queries  # noqa: E402 - benchmarks/queries.py: the cases
from servers import HOST, answers, free_port  # noqa: E402 - tests/servers.py


def raw_call(store, graphs: list[str], text: str) -> int:
    """The bound text POSTed with SPARQLWrapper (``graphs`` as its dataset, if the store names them); rows."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    client = SPARQLWrapper(store.url, returnFormat=JSON)
    client.setMethod(POST)
    client.setQuery(text)
    if store.dataset != "server":
        for graph in graphs:
            client.addDefaultGraph(graph)
            client.addNamedGraph(graph)
    return len(client.queryAndConvert()["results"]["bindings"])


def measure(spec: str, repeat: int) -> list[tuple[str, int, float, float]]:
    from clkg.prefixes import converter, store_prefixes
    from clkg.saved_queries import bindings, run_query, saved_queries
    from clkg.store import open_store
    from clkg.store.binding import bind_values

    store = open_store(spec, read_only=True)
    graphs = sorted(store.graph_sizes())
    prefixes = converter(store_prefixes(store))
    out = []
    for label, name, params in queries.cases(store):
        if label.endswith("(pivot)"):
            continue
        query = saved_queries()[name]
        terms = bindings(query, params, prefixes=prefixes)
        text = bind_values(query.text, terms) if terms else query.text
        clkg_times, raw_times, rows = [], [], 0
        for i in range(repeat + 1):
            started = time.perf_counter()
            rows = len(run_query(store, name, params).rows)
            clkg_time = time.perf_counter() - started
            started = time.perf_counter()
            raw_rows = raw_call(store, graphs, text)
            raw_time = time.perf_counter() - started
            if raw_rows != rows:
                raise SystemExit(f"{label}: clkg {rows} rows, raw {raw_rows}")
            if i:  # the first is the warm-up
                clkg_times.append(clkg_time)
                raw_times.append(raw_time)
        out.append((label, rows, statistics.median(clkg_times), statistics.median(raw_times)))
        print(f"{label:60} {rows:>7} clkg {out[-1][2]:8.3f} s raw {out[-1][3]:8.3f} s "
              f"{out[-1][2] / out[-1][3] - 1:+.1%}", file=sys.stderr, flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path, help="an embedded store folder to serve with oxigraph serve-read-only")
    where.add_argument("--spec", help="the sparql: spec of a running server")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server = None
    spec = args.spec
    if args.store:
        port = free_port()
        server = subprocess.Popen(["oxigraph", "serve-read-only", "--location", str(args.store), "--bind",
                                   f"{HOST}:{port}", "--union-default-graph"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        spec = f"sparql:http://{HOST}:{port}/query#dataset=server"
        while not answers(f"http://{HOST}:{port}/query"):
            time.sleep(0.2)
    try:
        results = measure(spec, args.repeat)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    over = [c / r - 1 for _, _, c, r in results]
    print(f"| query | rows | clkg s | raw SPARQLWrapper s | overhead |\n|---|---:|---:|---:|---:|")
    for label, rows, c, r in results:
        print(f"| {label} | {rows:,} | {c:.3f} | {r:.3f} | {c / r - 1:+.1%} |")
    print(f"\nmedian overhead {statistics.median(over):+.1%} over {len(results)} cases "
          f"(summed times {sum(c for *_, c, _ in results) / sum(r for *_, r in results) - 1:+.1%}); spec {spec}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
