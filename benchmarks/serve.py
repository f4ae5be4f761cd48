"""How fast `clkg serve` answers: every page and saved question, and /sparql against the raw store.

    python benchmarks/serve.py                     # the seed data
    python benchmarks/serve.py --studies 330       # plus 330 synthetic studies (about 1M triples)
    python benchmarks/serve.py --store-from PATH   # a copy of an existing embedded store

1. Builds a store from the seed data (`clkg build --no-reason`), with `--studies N` adds a
   synthetic corpus (benchmarks/generate.py, `clkg load`, about an hour at 330 studies); or, with
   `--store-from PATH`, copies the embedded store folder PATH (e.g. one benchmarks/fill.py made:
   the same 1M triples in minutes) and uses the copy, so the original is never opened.
2. Raw: in this process, each saved query (example parameters bound as the stores bind them) on
   the store opened read-only: `store.query` and reading every row, and that plus writing the
   SPARQL JSON results (what an endpoint has to do), --repeat times; then the store is closed.
3. Served: `clkg serve` on a free loopback port; every page
   (studies, search, one page per class of clkg IRI, every saved question and its CSV
   download, the comparisons, the plots and their SVG/PNG files, the query page, the ontology,
   VoID) is requested once to warm up, then --repeat times, one request at a time; and every
   saved query POSTed to /sparql (JSON results), --repeat times. `--page-repeat` sets the
   pages' own count; a page whose warm-up request takes longer than `--slow` seconds is not
   repeated (its one time is reported), and a page the server answers with an error status (e.g.
   503 past its time limit, `--timeout`) is reported as such.
Writes a Markdown report (default benchmarks/serve-results.md): p50/p95 per URL against the goal
of 200 ms at p95, and /sparql's overhead over the raw query (goal: at most 10%): each request's
time at the client over the store's time in that request (the answer's Server-Timing header).
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(HERE))
GOAL_PAGE = 0.200
GOAL_OVERHEAD = 0.10
SITE = "https://w3id.org/clkg/"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]


def clkg(*args) -> None:
    result = subprocess.run(["clkg", *map(str, args)], capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"clkg {' '.join(map(str, args))} failed:\n{result.stderr[-2000:]}")


def example(param) -> str | None:
    """A value for a parameter: the example its description gives (None: leave it out)."""
    import re

    if param.kind == "integer":
        return "2"
    match = re.search(r"e\.g\.\s*([^\s,;)]+)", param.description)
    return match[1] if match else None


def cases() -> list[tuple[str, dict]]:
    """(saved query, parameters): each query with its required parameters' examples."""
    from clkg.saved_queries import saved_queries

    return [(name, {p.name: example(p) for p in q.params.values() if p.required})
            for name, q in sorted(saved_queries().items())]


def query_text(name: str, params: dict) -> str:
    from clkg.prefixes import converter
    from clkg.saved_queries import bindings, saved_queries
    from clkg.store.binding import bind_values

    query = saved_queries()[name]
    terms = bindings(query, params, prefixes=converter())
    return bind_values(query.text, terms) if terms else query.text


def measure_raw(spec: str, repeat: int) -> tuple[dict, list[str], int]:
    """Seconds per saved query on the store itself (query + rows; + JSON results), one IRI
    of every class of clkg's own resources, for the pages, and the store's triples."""
    import pyoxigraph

    from clkg.store import open_store

    store = open_store(spec, read_only=True)
    raw = {}
    for name, params in cases():
        text = query_text(name, params)
        rows, serialized = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            list(store.query(text))
            rows.append(time.perf_counter() - started)
            started = time.perf_counter()
            store.query(text).serialize(format=pyoxigraph.QueryResultsFormat.JSON)
            serialized.append(time.perf_counter() - started)
        raw[name] = {"rows": statistics.median(rows), "json": statistics.median(serialized)}
    _, found = store.select(f"""SELECT (MIN(STR(?s)) AS ?iri) WHERE {{ ?s a ?class
        FILTER(STRSTARTS(STR(?s), "{SITE}") && !CONTAINS(STR(?s), "#") && ?s != <{SITE}ontology>) }} GROUP BY ?class""")
    iris = sorted({row[0].value for row in found})
    triples = sum(store.graph_sizes().values())
    store.close()
    return raw, iris, triples


def pages(iris: list[str]) -> list[str]:
    """The paths to time."""
    from clkg.web.plots import PLOTS

    paths = ["studies", "search?q=trust", "questions", "compare/studies", "compare/cases", "plots", "query",
             "ontology", ".well-known/void", "sparql"]
    paths += [iri[len(SITE):] for iri in iris]
    for name, params in cases():
        suffix = "?" + urlencode(params) if params else ""
        paths += [f"questions/{name}{suffix}", f"questions/{name}.csv{suffix}"]
    for name in PLOTS:
        paths += [f"plots/{name}", f"plots/{name}.svg", f"plots/{name}.png"]
    return paths


class Failed(Exception):
    """The server answered with an error status."""


def timed(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[float, float | None]:
    """Seconds until the whole answer is in, and the store's seconds from its Server-Timing header.

    :raises Failed: an error status (its text: status and seconds)
    """
    import urllib.error

    request = urllib.request.Request(url, data=data, headers=headers or {})
    started = time.perf_counter()
    try:
        response = urllib.request.urlopen(request, timeout=300)
    except urllib.error.HTTPError as err:
        err.read()
        raise Failed(f"HTTP {err.code} after {time.perf_counter() - started:.1f} s") from None
    with response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"{url}: HTTP {response.status}")
        timing = response.headers.get("Server-Timing", "")
    seconds = time.perf_counter() - started
    store = float(timing.partition("dur=")[2]) / 1000 if "dur=" in timing else None
    return seconds, store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, default=0, help="synthetic studies to add (330 ≈ 1M triples)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per URL (default 20)")
    parser.add_argument("--out", default=str(HERE / "serve-results.md"), help="the report to write")
    parser.add_argument("--page-repeat", type=int, help="requests per page (default: --repeat)")
    parser.add_argument("--raw-repeat", type=int, help="runs of each raw store query, for reference "
                        "(default: --repeat; the overhead comes from the served requests' own store time)")
    parser.add_argument("--slow", type=float, default=float("inf"),
                        help="seconds: a page whose warm-up request takes longer is not repeated")
    parser.add_argument("--timeout", type=float, default=30.0, help="the server's --timeout (default 30)")
    parser.add_argument("--store-from", metavar="PATH", help="copy this embedded store folder and use the "
                        "copy instead of building one (--studies does not apply)")
    parser.add_argument("--work", metavar="DIR", help="folder for the store and the server's log "
                        "(default: a temporary folder, removed at the end)")
    parser.add_argument("--sparql-only", action="store_true", help="time /sparql only, not the pages")
    args = parser.parse_args()
    if args.store_from and args.studies:
        parser.error("--store-from uses a store as it is: --studies does not apply")
    page_repeat = args.page_repeat or args.repeat
    from web_server import served

    with tempfile.TemporaryDirectory(prefix="clkg-serve-bench-", dir=args.work) as work:
        work = Path(work)
        spec = f"oxigraph:{work / 'store'}"
        if args.store_from:
            if not (Path(args.store_from) / "CURRENT").is_file():
                raise SystemExit(f"--store-from {args.store_from}: not an embedded store folder")
            log(f"copying {args.store_from}")
            shutil.copytree(args.store_from, work / "store")
        else:
            log("building the seed store")
            clkg("--store", spec, "build", "--data", REPO / "data", "--no-reason")
        if args.studies:
            from generate import write_corpus

            log(f"loading {args.studies} synthetic studies")
            clkg("--store", spec, "load", *write_corpus(work / "corpus", studies=args.studies, seed=1))
        log("raw store queries")
        raw, iris, triples = measure_raw(spec, args.raw_repeat or args.repeat)
        with served(spec, work / "serve.log", "--timeout", str(args.timeout)) as server:
            paths = [] if args.sparql_only else pages(iris)
            times, failed, once = {}, {}, set()
            for path in paths:  # warm-up: first renderings, caches, the server's own warm-up done
                try:
                    seconds = timed(server.url + path)[0]
                except Failed as err:
                    failed[path] = str(err)
                    log(f"{path}: {err}")
                    continue
                if seconds > args.slow:
                    times[path] = [seconds]
                    once.add(path)
            for path in paths:
                if path in failed or path in once:
                    continue
                try:
                    times[path] = [timed(server.url + path)[0] for _ in range(page_repeat)]
                except Failed as err:
                    failed[path] = str(err)
                    continue
                log(f"{path}: p95 {p95(times[path]) * 1000:.0f} ms")
            served_queries, sparql_failed = {}, {}
            if not paths:  # the plots the server renders at start run queries too: wait for them
                timed(server.url + "plots")
            for name, params in cases():
                body = urlencode({"query": query_text(name, params)}).encode()
                headers = {"Accept": "application/sparql-results+json"}
                try:
                    timed(server.url + "sparql", body, headers)
                    served_queries[name] = [timed(server.url + "sparql", body, headers) for _ in range(args.repeat)]
                except Failed as err:  # e.g. past the server's time limit: reported, the others still timed
                    sparql_failed[name] = str(err)
                    log(f"/sparql {name}: {err}")
                    continue
                log(f"/sparql {name}: {statistics.median(t for t, _ in served_queries[name]) * 1000:.0f} ms")
    args.page_repeat, args.triples = page_repeat, triples
    report = render(args, {p: times.get(p) for p in paths}, raw, served_queries, failed=failed, once=once,
                    sparql_failed=sparql_failed)
    Path(args.out).write_text(report, encoding="utf-8")
    print(report)
    return 0


def render(args, times: dict, raw: dict, served_queries: dict, *, failed: dict | None = None,
           once: set | None = None, sparql_failed: dict | None = None) -> str:
    failed, once, sparql_failed = failed or {}, once or set(), sparql_failed or {}
    met = [path for path, t in times.items() if t and p95(t) <= GOAL_PAGE]
    pages_part = [
        f"## Pages and saved questions: {len(met)} of {len(times)} within {GOAL_PAGE * 1000:.0f} ms at p95",
        "", "| URL | p50 ms | p95 ms | goal |", "|---|---:|---:|---|"] if times else []
    if args.store_from:
        what = f"a copy of the store {args.store_from}, {args.triples:,} triples"
        command = f" --store-from {args.store_from}"
    else:
        what = "seed data" + (f" + {args.studies} synthetic studies" if args.studies else "") + f", {args.triples:,} triples"
        command = f" --studies {args.studies}" if args.studies else ""
    if args.page_repeat != args.repeat:
        command += f" --page-repeat {args.page_repeat}"
    if args.raw_repeat and args.raw_repeat != args.repeat:
        command += f" --raw-repeat {args.raw_repeat}"
    if args.slow != float("inf"):
        command += f" --slow {args.slow:g}"
    if args.timeout != 30.0:
        command += f" --timeout {args.timeout:g}"
    if args.sparql_only:
        command += " --sparql-only"
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"# `clkg serve` benchmark ({what})",
             "", f"`python benchmarks/serve.py{command} --repeat {args.repeat}` "
             f"on {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"load average (1 / 5 / 15 min) at the end {load}. One client, one request at a time, after one warm-up "
             "request per URL (plots are rendered once per answer and kept).", *([""] if pages_part else []),
             *pages_part]
    if once:
        lines[-4:-4] = [f"Pages whose warm-up took longer than {args.slow:g} s were not requested again: their "
                        "one time (the warm-up's) is given as p50 and p95, marked ¹.", ""]
    for path, t in times.items():
        if t is None:
            lines.append(f"| `/{path[:90]}` | – | – | **{failed.get(path, 'failed')}** |")
            continue
        mark = " ¹" if path in once else ""
        lines.append(f"| `/{path[:90]}` | {statistics.median(t) * 1000:.0f}{mark} | {p95(t) * 1000:.0f}{mark} | "
                     f"{'met' if p95(t) <= GOAL_PAGE else '**missed**'} |")
    # overhead of a request = its time at the client over the store's time in the same request
    overhead = {n: statistics.median(total / store - 1 for total, store in served_queries[n]) for n in served_queries}
    median = f"{statistics.median(overhead.values()) * 100:+.1f}%" if overhead else "not measured"
    lines += ["", f"## /sparql against the raw store query: median overhead {median} "
              f"(goal ≤ {GOAL_OVERHEAD * 100:.0f}%)"
              + (f"; {len(sparql_failed)} of {len(raw)} queries failed on the server" if sparql_failed else ""), "",
              "The overhead of a request is its time at the client (POST to /sparql, the whole SPARQL JSON answer "
              "received) over the store's time in the same request (`store.query` and the JSON results written, "
              "from the answer's `Server-Timing` header), so that the load of the machine, which changes from one "
              "minute to the next, cancels out. raw = the same query in the benchmark's own process before the "
              "server started (`store.query`, every row read; and the JSON results written), for reference. Medians.", "",
              "| saved query | raw ms | raw + JSON ms | store in /sparql ms | /sparql ms | overhead |",
              "|---|---:|---:|---:|---:|---:|"]
    for name in raw:
        if name in sparql_failed:
            lines.append(f"| {name} | {raw[name]['rows'] * 1000:.1f} | {raw[name]['json'] * 1000:.1f} | – | "
                         f"**{sparql_failed[name]}** | – |")
            continue
        total = statistics.median(t for t, _ in served_queries[name])
        store = statistics.median(s for _, s in served_queries[name])
        lines.append(f"| {name} | {raw[name]['rows'] * 1000:.1f} | {raw[name]['json'] * 1000:.1f} | {store * 1000:.1f} | "
                     f"{total * 1000:.1f} | {overhead[name] * 100:+.1f}% |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
