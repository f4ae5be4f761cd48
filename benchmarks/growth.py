"""How cost grows with the data: load, one new study, validation and every saved query at 10k,
100k, 1M and 10M triples (3, 33, 330 and 3,300 synthetic studies), with the growth factor per tenfold.

    python benchmarks/growth.py --work /data/growth              # 3, 33, 330, 3300 studies: many hours
    python benchmarks/growth.py --quick --work /tmp/growth-quick # 3 and 33 studies, 1 repeat: minutes
    python benchmarks/growth.py --work /data/growth --resume     # go on after a crash: sizes done are kept
    python benchmarks/growth.py --load-up-to 330                 # 3300 filled with fill.py, not clkg load

For each size in --sizes (studies of benchmarks/generate.py's corpus, ~3,000 triples each):

1. Load. ``clkg --store S load CORPUS/*`` into an empty store, in a subprocess (benchmarks/run.py's
   child: timers around read, validate, infer and write): wall time, peak memory (``os.wait4``);
   the same command again, nothing changed (every study found unchanged). The store is exported
   (``clkg export --format nq``) and pyoxigraph's ``bulk_load`` of those quads into a fresh store
   timed in a subprocess (time inside, peak memory of the process). A size above --load-up-to is
   filled with benchmarks/fill.py instead (what clkg load writes, bulk-loaded; not validated), and
   bulk_load is timed on fill.py's quads; the report says so.
2. Queries. Every case of benchmarks/queries.py (each saved query, parameterised ones with values
   from the store's first study, the ``clkg compare`` pivots), median of --repeat runs after a
   warm-up, in run.py's worker processes, which are killed and restarted when a query passes
   --timeout: on the embedded store (clkg ``run_query`` and the raw ``pyoxigraph`` query, alternately)
   and on one Oxigraph server, ``oxigraph serve-read-only --union-default-graph`` over the same
   folder, through clkg's SPARQL store (``sparql:http://127.0.0.1:PORT/query#dataset=server``). The
   server is stopped afterwards.
3. One new study (--repeat new studies, synthetic-90000 on, none in the corpus), one at a time:
   ``clkg --store S validate NEW``, then ``clkg --store S load NEW`` (a fresh process: wall time,
   peak memory, and the work inside ``clkg.pipeline.load`` with its validation).

The report (--output, default benchmarks/growth-results.md; benchmarks/growth-results-quick.md
with --quick): one column per size, the growth factor per tenfold of the data between sizes
((value at the larger size / value) ** (1 / log10(triples ratio)): 10 means it grows as fast as
the data), the goals' verdicts at the largest size, and the measures that grow faster than the
data. Results are kept in WORK/growth.json as they come; --resume skips the sizes done there. A
size's stores and corpus are removed when it is done, unless --keep.
"""

import argparse
import json
import math
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import queries  # noqa: E402 - benchmarks/queries.py: the query cases
import run  # noqa: E402 - benchmarks/run.py: processes, workers, the machine, formatting
from generate import write_corpus  # noqa: E402
from run import fmt_mem, fmt_s, log, run_process, table, verdict  # noqa: E402
from oxigraph_server import OxigraphServer  # noqa: E402 - tests/oxigraph_server.py
from servers import HOST, answers, free_port  # noqa: E402 - tests/servers.py

GOAL_LOAD_RATIO = 3.0  # clkg load / bulk_load
GOAL_AGAIN_RATIO = 1.5  # the same load again, nothing changed / bulk_load
GOAL_MEMORY_RATIO = 1.2  # peak memory of clkg load / of bulk_load
GOAL_NEW_STUDY_SECONDS = 0.5  # of work, flat
FLAT = 1.25  # "flat": the largest size's value at most this times the smallest's
GOAL_QUERY_MAX = 1.0
GOAL_QUERY_MEDIAN = 0.1
GOAL_OVERHEAD = 0.10
NOISE = 0.010  # seconds: a time below this is not named as growing faster than the data


def child_command(*args: str) -> list[str]:
    """This script in a child role (see ``child_add``)."""
    return [sys.executable, str(Path(__file__).resolve()), "--child", *args]


@contextmanager
def alive(what: str, every: float = 60):
    """Log a line every minute while a long step runs."""
    done, started = threading.Event(), time.perf_counter()

    def beat():
        while not done.wait(every):
            log(f"   … {what}: {fmt_s(time.perf_counter() - started)} so far")
    threading.Thread(target=beat, daemon=True).start()
    try:
        yield
    finally:
        done.set()


# --------------------------------------------------------------------------------------------
# One size
# --------------------------------------------------------------------------------------------

def measure_size(args, n: int, folder: Path, save) -> dict:
    """Everything for a corpus of ``n`` studies; ``save(result)`` after each step."""
    r = {"studies": n, "done": False}
    corpus = write_corpus(folder / "corpus", studies=n, seed=args.seed)
    news = write_corpus(folder / "new", studies=args.repeat, seed=args.seed + 1, start=run.NEW_STUDY_NUMBER)
    store, nquads = folder / "store", folder / "store.nq"
    spec = f"oxigraph:{store}"
    if n <= args.load_up_to:
        log(f"{run.studies_label(n)}: clkg load of the corpus into an empty store")
        with alive("clkg load"):
            load = run_process(run.child_command("load", str(folder / "load.json"), spec, *map(str, corpus)),
                               cwd=folder)
        parts = json.loads((folder / "load.json").read_text())
        r["load"] = {"wall": load.seconds, "maxrss_kib": load.maxrss_kib,
                     **{k: sum(parts[k]) for k in ("read", "validate", "infer", "write")}}
        log(f"   {fmt_s(load.seconds)}, {fmt_mem(load.maxrss_kib)}; the same load again, nothing changed")
        with alive("clkg load again"):
            again = run_process(run.clkg_command("--store", spec, "load", *map(str, corpus)), cwd=folder)
        r["again"] = {"wall": again.seconds, "maxrss_kib": again.maxrss_kib,
                      "unchanged": again.stdout.count(": unchanged since it was loaded")}
        log(f"   {fmt_s(again.seconds)}, {r['again']['unchanged']} of {n} unchanged; clkg export --format nq")
        with alive("clkg export"):
            run_process(run.clkg_command("--store", spec, "export", "--format", "nq", "-o", str(nquads)), cwd=folder)
    else:
        log(f"{run.studies_label(n)}: filling the store with benchmarks/fill.py (--load-up-to {args.load_up_to})")
        with alive("fill.py"):
            filled = run_process([sys.executable, str(HERE / "fill.py"), str(store), "--studies", str(n),
                                  "--seed", str(args.seed), "--nquads", str(nquads)], cwd=folder)
        r["fill"] = {"wall": filled.seconds}
    save(r)
    log("   pyoxigraph bulk_load of the same quads into a fresh store")
    with alive("bulk_load"):
        bulk = run_process(run.child_command("bulk", str(nquads), str(folder / "bulk")), cwd=folder)
    r["bulk"] = json.loads(bulk.stdout) | {"wall": bulk.seconds, "maxrss_kib": bulk.maxrss_kib,
                                           "nquads_bytes": nquads.stat().st_size}
    shutil.rmtree(folder / "bulk")
    nquads.unlink()
    r["triples"], r["graphs"], cases = store_triples_and_cases(store)
    log(f"   {fmt_s(r['bulk']['seconds'])}; the store holds {r['triples']:,} triples; {len(cases)} query cases")
    save(r)

    r["queries"] = time_queries(args, folder, cases, "oxigraph", str(store))
    save(r)
    if args.no_server:
        r["server"] = {"skipped": "--no-server"}
    elif shutil.which("oxigraph") is None:
        r["server"] = {"skipped": "the oxigraph server binary is not installed (pip install oxigraph)"}
    else:
        with oxigraph_server(store, folder, args.timeout) as server:
            r["server"] = server | {"queries": time_queries(args, folder, cases, "server", server["spec"])}
    save(r)

    r["new"] = measure_new_studies(folder, spec, news)
    r["done"] = True
    return r


def store_triples_and_cases(store: Path) -> tuple[int, int, list[run.QueryCase]]:
    """The store's triples, its graphs, and the query cases with values from its first study."""
    from clkg.store import open_store

    with open_store(f"oxigraph:{store}", read_only=True) as s:
        sizes = s.graph_sizes()
        return (sum(sizes.values()), len(sizes),
                [run.QueryCase(name, params, label) for label, name, params in queries.cases(s)])


def is_pivot(label: str) -> bool:
    return label.endswith("(pivot)")


def time_queries(args, folder: Path, cases: list, engine: str, location: str) -> dict:
    """Each case on one engine with run.py's workers: {label: {mode: result}}, worker starts."""
    log(f"   queries on the {'embedded store' if engine == 'oxigraph' else 'Oxigraph server'}")
    bench = SimpleNamespace(args=args, work=folder)
    plain = ["raw", "clkg"] if engine == "oxigraph" else ["clkg"]
    out = {"results": {}, "starts": 0}
    for modes, chosen in ((plain, [c for c in cases if not is_pivot(c.label)]),
                          (["pivot"], [c for c in cases if is_pivot(c.label)])):
        if chosen:
            done = run.measure_queries(bench, chosen, engine, location, modes, args.timeout)
            out["results"] |= done["results"]
            out["starts"] += len(done["starts"])
    return out


@contextmanager
def oxigraph_server(store: Path, folder: Path, timeout: float):
    """``oxigraph serve-read-only`` over the store folder on a free port; stopped on every way out."""
    port = free_port()
    started = time.perf_counter()
    with open(folder / "server.log", "ab") as output:
        process = subprocess.Popen(["oxigraph", "serve-read-only", "--location", str(store),
                                    "--bind", f"{HOST}:{port}", "--timeout-s", str(math.ceil(timeout)),
                                    "--union-default-graph"],
                                   stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = OxigraphServer(folder, port, process)  # tests/oxigraph_server.py: its URL, log and stop
    info = {"spec": f"sparql:{server.query}#dataset=server"}  # its default graph, not thousands of graph IRIs
    try:
        while not answers(server.query):
            if process.poll() is not None or time.perf_counter() - started > 300:
                raise RuntimeError(f"the Oxigraph server did not start: {server.log()[-2000:]}")
            time.sleep(0.2)
        info["started_in"] = time.perf_counter() - started
        log(f"   Oxigraph server (serve-read-only) answers at {server.query} after {fmt_s(info['started_in'])}")
        yield info
    finally:
        info["maxrss_kib"] = run._peak_rss_kib(process.pid)
        server.stop()
        log("   Oxigraph server stopped")


def measure_new_studies(folder: Path, spec: str, news: list[Path]) -> dict:
    """Each new study: ``clkg validate`` against the store, then ``clkg load`` into it; medians."""
    log(f"   {len(news)} new stud{'y' if len(news) == 1 else 'ies'}: clkg validate NEW, clkg load NEW")
    runs = []
    for new in news:
        validate = run_process(run.clkg_command("--store", spec, "validate", "-q", str(new)), cwd=folder)
        add = run_process(child_command("add", str(folder / "add.json"), spec, str(new)), cwd=folder)
        inside = json.loads((folder / "add.json").read_text())
        runs.append({"validate_wall": validate.seconds, "add_wall": add.seconds, "add_maxrss_kib": add.maxrss_kib,
                     **inside})
        log(f"   {new.name}: validate {fmt_s(validate.seconds)}; load {fmt_s(add.seconds)} "
            f"(work {fmt_s(inside['work'])})")
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]} | {"runs": len(runs)}


def child_add(timings_path: str, spec: str, path: str) -> int:
    """``clkg --store SPEC load -q PATH``, with the time inside ``clkg.pipeline.load`` and its validation."""
    import clkg.cli
    import clkg.pipeline
    import clkg.validation

    load, validate, spent = clkg.pipeline.load, clkg.validation.validate, {"validate": 0.0}

    def timed_validate(dataset, **kwargs):
        t = time.perf_counter()
        report = validate(dataset, **kwargs)
        spent["validate"] += time.perf_counter() - t
        return report

    def timed_load(*args, **kwargs):
        report = load(*args, **kwargs)
        spent["work"], spent["written"] = report.seconds, len(report.datasets)
        return report

    clkg.pipeline.load, clkg.validation.validate = timed_load, timed_validate  # imported at call time
    code = clkg.cli.main(["--store", spec, "load", "-q", path])
    Path(timings_path).write_text(json.dumps(spent))
    return code


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------

def growth(values: list, triples: list[int]) -> list[str]:
    """The factor per tenfold of the data between consecutive sizes."""
    out = []
    for (a, da), (b, db) in zip(zip(values, triples), zip(values[1:], triples[1:])):
        ok = all(isinstance(v, (int, float)) and 0 < v < float("inf") for v in (a, b))
        out.append(f"×{(b / a) ** (1 / math.log10(db / da)):.1f}" if ok else "—")
    return out


def factors(values: list, triples: list[int]) -> list[float | None]:
    return [float(f[1:]) if f != "—" else None for f in growth(values, triples)]


def query_seconds(result: dict | None) -> float | None:
    return run.seconds_of(result)


def render(args, sizes: list[dict], machine: dict, command: str, notes: list[str]) -> str:
    triples = [s["triples"] for s in sizes]
    heads = [run.studies_label(s["studies"]) for s in sizes]
    steps = [f"{a['studies']}→{b['studies']}" for a, b in zip(sizes, sizes[1:])]
    faster: list[str] = []

    def row(label: str, values: list, shown=fmt_s, grows: bool = True, explain=None) -> list:
        cells = [shown(v) if v is not None else "—" for v in values]
        if not grows:
            return [label, *cells, *[""] * len(steps)]
        for step, f, (a, b) in zip(steps, factors(values, triples), zip(values, values[1:])):
            if f is not None and f > 10 and b >= NOISE:
                why = explain(step) if explain else ""
                faster.append(f"{label}: ×{f:.1f} per tenfold from {step} studies ({shown(a)} → {shown(b)})"
                              + (f"; {why}" if why else ""))
        return [label, *cells, *growth(values, triples)]

    get = lambda *keys: [_dig(s, keys) for s in sizes]  # noqa: E731
    loaded = [("load" in s) for s in sizes]
    load_wall = [s["load"]["wall"] if "load" in s else None for s in sizes]
    rest = [s["load"]["wall"] - sum(s["load"][k] for k in ("read", "validate", "infer", "write"))
            if "load" in s else None for s in sizes]
    ratio = lambda a, b: [x / y if x and y else None for x, y in zip(a, b)]  # noqa: E731
    times = fmt_ratio_value
    bulk = get("bulk", "seconds")
    rows = [
        ["triples in the store (studies + ontology + alignments)", *(f"{t:,}" for t in triples),
         *growth(triples, triples)],
        row("`clkg load CORPUS/*` into an empty store (wall)", load_wall),
        row("· read + map", get("load", "read")),
        row("· SHACL validation", get("load", "validate")),
        row("· inference (OWL 2 RL)", get("load", "infer")),
        row("· write (`replace_graphs`)", get("load", "write")),
        row("· start-up, imports, fingerprint, the rest", rest),
        row("peak memory of `clkg load`", get("load", "maxrss_kib"), fmt_mem),
        row("filled with fill.py instead (not clkg load; wall)", get("fill", "wall")) if not all(loaded) else None,
        row("pyoxigraph `bulk_load` of the same quads (in the process)", bulk),
        row("peak memory of the bulk_load process", get("bulk", "maxrss_kib"), fmt_mem),
        row("**clkg load / bulk_load**", ratio(load_wall, bulk), times, grows=False),
        row("`clkg load CORPUS/*` again, nothing changed (wall)", get("again", "wall")),
        row("**load again / bulk_load**", ratio(get("again", "wall"), bulk), times, grows=False),
        row("**load peak memory / bulk_load's**", ratio(get("load", "maxrss_kib"), get("bulk", "maxrss_kib")),
            times, grows=False),
        row("`clkg --store S validate NEW` (wall)", get("new", "validate_wall")),
        row("`clkg --store S load NEW` (wall)", get("new", "add_wall")),
        row("· **work: inside `clkg.pipeline.load`**", get("new", "work")),
        row("· of which validation (first in the process: parses the shapes)", get("new", "validate")),
        row("peak memory of `clkg load NEW`", get("new", "add_maxrss_kib"), fmt_mem),
    ]
    medians = {engine: [median_query(s, engine) for s in sizes] for engine in ("queries", "server")}
    rows += [row("median over the saved queries, embedded (clkg)", medians["queries"]),
             row("median over the saved queries, server (clkg)", medians["server"])]
    out = [f"# How cost grows with the data: {', '.join(heads)}", "",
           f"Produced by `{command}` (seed {args.seed}, {args.repeat} repeat(s), query timeout {args.timeout:g} s), "
           f"{time.strftime('%Y-%m-%d %H:%M %Z')}. 'Per tenfold' is the factor a measure grows by when the "
           "data (the store's triples) grows tenfold: 10 is as fast as the data, 1 is flat. The module "
           "docstring of benchmarks/growth.py says what each line measures.", "",
           "## Machine", "", table(["", ""], [[k, v] for k, v in machine.items()], "ll"), "",
           "## Load, one new study, validation", "",
           table(["", *heads, *(f"per tenfold {s}" for s in steps)], [r for r in rows if r]), "",
           "Load: run.py's timers inside the `clkg load` process (read, validate, infer, write); "
           "the rest is interpreter start-up, imports and the fingerprint. bulk_load's time is the "
           "`Store.bulk_load` call in its process (as run.py compares); the ratios compare the wall "
           "time of the clkg command with it. New study: median of "
           f"{sizes[0]['new']['runs']} new stud{'y' if sizes[0]['new']['runs'] == 1 else 'ies, added one after another'}; 'work' is "
           "`clkg.pipeline.load`'s own time (the store's prefixes, fingerprint, read, concept index, "
           "validation, inference, write), without the start-up and imports of the command."]

    out += ["", *render_queries(args, sizes, heads, steps, triples, faster)]
    out += ["", "## Goals (at the largest size)", "", *[f"- {g}" for g in goals(sizes)]]
    out += ["", "## Faster than the data (more than ×10 per tenfold)", ""]
    out += [f"- {f}" for f in faster] or ["- nothing"]
    out += ["", f"Not named: a step that ends under {NOISE * 1000:g} ms (noise and start-up move such "
            "times more than the data does). A query is explained by its answer when the answer grows "
            "about as fast as its time (the time per row grows at most 1.5× per tenfold); otherwise it does "
            "more work than its answer needs: the one to look at. The other measures are named only: the "
            "load's breakdown shows which step grows; why is for the reader of this report to find."]
    if notes:
        out += ["", "## Notes", "", *[f"- {n}" for n in notes]]
    return "\n".join(out) + "\n"


def fmt_ratio_value(x: float | None) -> str:
    return "—" if x is None else (f"{x:.2f}×" if x < 10 else f"{x:.0f}×")


def _dig(d: dict, keys: tuple):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def saved(label: str) -> bool:
    return not is_pivot(label)


def median_query(size: dict, engine: str) -> float | None:
    results = _dig(size, (engine, "results")) if engine == "queries" else _dig(size, ("server", "queries", "results"))
    if not results:
        return None
    ts = [query_seconds(r.get("clkg")) for label, r in results.items() if saved(label)]
    ts = [t for t in ts if t is not None]
    return statistics.median(ts) if ts else None


def render_queries(args, sizes, heads, steps, triples, faster) -> list[str]:
    labels = list(sizes[-1]["queries"]["results"])

    def results(size: dict, engine: str) -> dict:
        return (_dig(size, ("queries", "results")) if engine == "embedded"
                else _dig(size, ("server", "queries", "results"))) or {}

    def mode(label: str) -> str:
        return "pivot" if is_pivot(label) else "clkg"

    def cell(res: dict | None) -> str:
        return run.fmt_result(res, args.timeout, args.repeat)

    out = []
    for engine, title in (("embedded", "on the embedded store: clkg `run_query` (a compare pivot: and the pivot)"),
                          ("server", "on the Oxigraph server (`serve-read-only --union-default-graph` over the same "
                                     "folder), clkg's SPARQL store with `dataset=server`")):
        if engine == "server" and not any(results(s, "server") for s in sizes):
            skipped = {_dig(s, ("server", "skipped")) for s in sizes} - {None}
            out += [f"## Queries on the Oxigraph server: not run ({'; '.join(skipped) or 'no result'})", ""]
            continue
        rows = []
        for label in labels:
            res = [results(s, engine).get(label, {}).get(mode(label)) for s in sizes]
            secs = [query_seconds(r) for r in res]
            counts = [r.get("rows") if r else None for r in res]
            rows_growth = factors(counts, triples)

            def explain(step, time_factor, counts=counts, rows_growth=rows_growth):
                i = steps.index(step)
                f = rows_growth[i]
                if f is None:
                    return "it returns no rows"
                answer = f"its answer grows ×{f:.1f} per tenfold ({counts[i]:,} → {counts[i + 1]:,} rows)"
                if time_factor <= f * 1.5:
                    return answer + ": the answer explains it (about the same time per row)"
                if f <= 1.5:
                    return answer + ": more work than the answer needs"
                return answer + f": the time per row grows ×{time_factor / f:.1f}, more work than the answer needs"
            name = f"{label} ({'server' if engine == 'server' else 'embedded'})"
            cells = [cell(r) for r in res]
            factor_cells = growth(secs, triples)
            for step, f, (a, b, sb) in zip(steps, factors(secs, triples), zip(res, res[1:], secs[1:])):
                if f is not None and f > 10 and sb >= NOISE:
                    why = explain(step, f)
                    faster.append(f"{name}: ×{f:.1f} per tenfold from {step} studies ({cell(a)} → {cell(b)})"
                                  + (f"; {why}" if why else ""))
            rows.append([label, *cells, *factor_cells,
                         " / ".join("—" if c is None else f"{c:,}" for c in counts)])
        out += [f"## Queries {title}", "",
                table(["query", *heads, *(f"per tenfold {s}" for s in steps), "rows"], rows), ""]
        if engine == "server":
            out += ["With `dataset=server` clkg's SPARQL store names no graph: the server's default graph is the "
                    "union of its graphs, as the embedded store reads it. Without it each request would name every "
                    "clkg graph as a `default-graph-uri` and a `named-graph-uri` ("
                    + ", ".join(f"{s.get('graphs', '?'):,} graphs at {run.studies_label(s['studies'])}" for s in sizes)
                    + ").", ""]
        if engine == "embedded":
            out += ["Median of the runs (n× where fewer than the repeats were made: run.py stops repeating "
                    f"a query after {run.QUERY_BUDGET:g} s of runs) after a warm-up run. '> {args.timeout:g} s': "
                    "it passed the timeout (the worker was killed and restarted). Parameters: values from the "
                    "store's first study (benchmarks/queries.py).", ""]
            over = []
            for label in labels:
                if is_pivot(label):
                    continue
                pairs = [(query_seconds(results(s, "embedded").get(label, {}).get("raw")),
                          query_seconds(results(s, "embedded").get(label, {}).get("clkg"))) for s in sizes]
                over.append([label, *(f"{fmt_s(raw)} ({clkg / raw - 1:+.0%})"
                                      if raw and clkg and raw < float("inf") and clkg < float("inf") else fmt_s(raw)
                                      for raw, clkg in pairs)])
            out += ["## The raw pyoxigraph query, and clkg's overhead over it (embedded)", "",
                    table(["query", *heads], over), "",
                    "`pyoxigraph.Store.read_only(…).query(…, use_default_graph_as_union=True)`, fully consumed, "
                    "in the same worker as clkg's `run_query`, alternately; in brackets clkg's time over it.", ""]
    return out


def goals(sizes: list[dict]) -> list[str]:
    out = []
    last = sizes[-1]
    loaded = [s for s in sizes if "load" in s]
    if loaded:
        ld = loaded[-1]
        at = "" if ld is last else f" (at {run.studies_label(ld['studies'])}, the largest size loaded with clkg load)"
        load_ratio = ld["load"]["wall"] / ld["bulk"]["seconds"]
        again_ratio = ld["again"]["wall"] / ld["bulk"]["seconds"]
        memory_ratio = ld["load"]["maxrss_kib"] / ld["bulk"]["maxrss_kib"]
        out += [f"Whole-corpus `clkg load` ≤ {GOAL_LOAD_RATIO:g}× pyoxigraph's bulk_load: "
                f"{verdict(load_ratio <= GOAL_LOAD_RATIO)} ({load_ratio:.1f}×: {fmt_s(ld['load']['wall'])} vs "
                f"{fmt_s(ld['bulk']['seconds'])}){at}",
                f"The same load again, nothing changed, ≤ {GOAL_AGAIN_RATIO:g}× bulk_load: "
                f"{verdict(again_ratio <= GOAL_AGAIN_RATIO)} ({again_ratio:.2f}×: {fmt_s(ld['again']['wall'])}; "
                f"{ld['again']['unchanged']} of {ld['studies']:,} studies found unchanged){at}",
                f"Peak memory of the load ≤ {GOAL_MEMORY_RATIO:g}× bulk_load's: "
                f"{verdict(memory_ratio <= GOAL_MEMORY_RATIO)} ({memory_ratio:.2f}×: {fmt_mem(ld['load']['maxrss_kib'])}"
                f" vs {fmt_mem(ld['bulk']['maxrss_kib'])}){at}"]
    else:
        out.append("Load goals: n/a (every size was filled with fill.py)")
    works = [s["new"]["work"] for s in sizes]
    flat = works[-1] / works[0]
    out.append(f"One new study ≤ {GOAL_NEW_STUDY_SECONDS:g} s of work, flat: "
               f"{verdict(works[-1] <= GOAL_NEW_STUDY_SECONDS and flat <= FLAT)} (work {fmt_s(works[-1])} at "
               f"{last['studies']:,} studies, {flat:.2f}× the {fmt_s(works[0])} at {sizes[0]['studies']:,}: "
               f"{'flat' if flat <= FLAT else 'not flat'} (≤ {FLAT:g}×); the command "
               f"`clkg load NEW` {fmt_s(last['new']['add_wall'])}, `clkg validate NEW` "
               f"{fmt_s(last['new']['validate_wall'])})")
    res = {label: r for label, r in last["queries"]["results"].items() if saved(label)}
    clkg = {label: query_seconds(r.get("clkg")) for label, r in res.items()}
    ran = {label: t for label, t in clkg.items() if t is not None}
    over = sorted(((t, label) for label, t in ran.items() if t > GOAL_QUERY_MAX), reverse=True)
    out.append(f"Every saved query ≤ {GOAL_QUERY_MAX:g} s embedded: {verdict(bool(ran) and not over)} ("
               + (", ".join(f"{label} {fmt_s(t)}" for t, label in over) + " over" if over else
                  f"slowest {fmt_s(max(ran.values()))}" if ran else "none ran") + ")")
    m = statistics.median(ran.values()) if ran else None
    out.append(f"Median saved query ≤ {GOAL_QUERY_MEDIAN * 1000:g} ms embedded: "
               f"{verdict(m is not None and m <= GOAL_QUERY_MEDIAN)} (median {fmt_s(m)} over {len(ran)} cases)")
    pairs = [(label, query_seconds(r.get("clkg")), query_seconds(r.get("raw"))) for label, r in res.items()]
    pairs = [(label, a, b) for label, a, b in pairs if a and b and a < float("inf") and b < float("inf")]
    if pairs:
        out.append(run.overhead_goal(pairs, GOAL_OVERHEAD))
    return out


def notes_of(args, sizes: list[dict]) -> list[str]:
    notes = []
    for s in sizes:
        n = s["studies"]
        if "fill" in s:
            notes.append(f"{n:,} studies: the store was filled with benchmarks/fill.py in {fmt_s(s['fill']['wall'])} "
                         f"(--load-up-to {args.load_up_to}): no clkg load, no load-again, no validation of the "
                         "corpus; bulk_load was timed on fill.py's quads.")
        if "again" in s and s["again"]["unchanged"] != n:
            notes.append(f"{n:,} studies: the load again found only {s['again']['unchanged']} of {n} studies "
                         "unchanged (it should skip every one).")
        for engine, q in (("embedded", s.get("queries")), ("server", _dig(s, ("server", "queries")))):
            if q and q["starts"] > 2:  # one worker for the queries, one for the pivots
                notes.append(f"{n:,} studies, {engine}: {q['starts']} worker starts (restarts after timeouts).")
            for label, r in (q or {}).get("results", {}).items():
                for m, x in r.items():
                    if "error" in x:
                        notes.append(f"{n:,} studies, {engine}, {label} ({m}): {x['error']}")
        if s.get("server", {}).get("maxrss_kib"):
            sv = s["server"]
            notes.append(f"{n:,} studies: the Oxigraph server answered after {fmt_s(sv['started_in'])}, "
                         f"peak memory {fmt_mem(sv['maxrss_kib'])}.")
        emb, srv = _dig(s, ("queries", "results")) or {}, _dig(s, ("server", "queries", "results")) or {}
        differ = [f"{label} ({emb[label][m]['rows']:,} embedded, {r[m]['rows']:,} server)"
                  for label, r in srv.items() for m in r
                  if "rows" in r[m] and "rows" in emb.get(label, {}).get(m, {}) and r[m]["rows"] != emb[label][m]["rows"]]
        if differ:
            notes.append(f"{n:,} studies: the server's answers have other row counts: {'; '.join(differ)}.")
    return notes


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", help="studies per size, comma-separated (default 3,33,330,3300; --quick: 3,33)")
    p.add_argument("--repeat", type=int, help="runs per query, new studies per size (default 3; --quick: 1)")
    p.add_argument("--timeout", type=float, default=120, help="seconds a query may take (default 120)")
    p.add_argument("--seed", type=int, default=1, help="seed of the synthetic corpus (default 1)")
    p.add_argument("--load-up-to", type=int, help="fill larger sizes with fill.py instead of clkg load "
                                                  "(default: clkg load at every size)")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "clkg-growth",
                   help="work folder, kept: growth.json and the current size (default %(default)s)")
    p.add_argument("--resume", action="store_true", help="keep the sizes growth.json has done")
    p.add_argument("--keep", action="store_true", help="keep each size's store and corpus")
    p.add_argument("--no-server", action="store_true", help="skip the Oxigraph server")
    p.add_argument("--output", type=Path, help="the report (default benchmarks/growth-results.md; "
                                               "benchmarks/growth-results-quick.md with --quick)")
    p.add_argument("--quick", action="store_true", help="a smoke run: 3 and 33 studies, 1 repeat")
    args = p.parse_args(argv)
    args.sizes = sorted({int(x) for x in (args.sizes or ("3,33" if args.quick else "3,33,330,3300")).split(",")})
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.load_up_to = args.load_up_to if args.load_up_to is not None else max(args.sizes)
    args.output = (args.output or HERE / ("growth-results-quick.md" if args.quick else "growth-results.md")).resolve()
    args.work = args.work.resolve()
    if min(args.sizes) < 1 or args.repeat < 1 or args.timeout <= 0 or len(args.sizes) < 2:
        p.error("--sizes needs two or more positive sizes; --repeat and --timeout must be positive")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    command = shlex.join(["python", "benchmarks/growth.py", *sys.argv[1:]])
    signal.signal(signal.SIGTERM, run._interrupt)
    state_path = args.work / "growth.json"
    if args.resume and state_path.exists():
        state = json.loads(state_path.read_text())
        if state["seed"] != args.seed:
            raise SystemExit(f"{state_path} was measured with --seed {state['seed']}: resume with that seed")
    else:
        run.prepare_work(args)  # empties a work folder this script (or run.py) made; refuses any other
        state = {"seed": args.seed, "sizes": {}}
    (args.work / run.MARKER).touch()
    log(f"work folder {args.work}; sizes {', '.join(map(str, args.sizes))} studies")
    try:
        for n in args.sizes:
            if state["sizes"].get(str(n), {}).get("done"):
                log(f"{run.studies_label(n)}: done in {state_path}, kept (--resume)")
                continue
            folder = args.work / f"{n}-studies"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()

            def save(result, n=n):
                state["sizes"][str(n)] = result
                state_path.write_text(json.dumps(state, indent=1))
            save(measure_size(args, n, folder, save))
            if not args.keep:
                shutil.rmtree(folder)
            log(f"{run.studies_label(n)}: done")
        sizes = [state["sizes"][str(n)] for n in args.sizes]
        report = render(args, sizes, run.describe_machine(), command, notes_of(args, sizes))
        args.output.write_text(report, encoding="utf-8")
        print(report)
        log(f"wrote {args.output}")
        return 0
    except KeyboardInterrupt:
        log(f"interrupted; what was measured is in {state_path} (--resume goes on)")
        return 130


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.exit({"add": child_add}[sys.argv[2]](*sys.argv[3:]))
    sys.exit(main())
