"""Benchmarks of clkg on a synthetic corpus: load, saved queries, validation. One run, one report.

    python benchmarks/run.py                 # 330 studies (about 1M triples), 5 repeats: 30-45 min
    python benchmarks/run.py --quick         # 33 studies, 3 repeats: a smoke run (a few minutes)
    python benchmarks/run.py --studies 100 --work /tmp/bench --no-virtuoso --no-rdflib

What it measures (in this order; every number comes from this one run):

1. Load. ``clkg --store oxigraph:… load CORPUS/*`` in a subprocess: wall time and peak memory
   (``os.wait4`` rusage). The subprocess runs ``clkg.cli.main`` with timers wrapped around
   ``read_datasets``, ``validate`` and the store's ``replace_graphs``, so the same run also shows
   where the time goes (read + map, SHACL validation, the write into the fresh store). Compared
   with pyoxigraph's own ``Store.bulk_load`` of the same quads (exported with
   ``clkg export --format nq``) into a fresh store, also in a subprocess.
2. Queries, on the loaded store plus the ontology and alignments graphs (what ``clkg build`` writes):
   every saved query (parameterised ones with a value taken from the corpus; optional parameters
   also without one), median of ``--repeat`` runs, each engine in a worker subprocess that the
   benchmark kills (and restarts) when a query takes longer than ``--timeout``:
   (a) clkg: ``run_query`` on the embedded store, including the conversion to a Table;
   (b) raw: ``pyoxigraph.Store.read_only(…).query(text, substitutions=…, use_default_graph_as_union=True)``, fully
       consumed; (c) rdflib's in-memory engine (``Dataset(default_union=True)`` loaded from the
       N-Quads); (d) Virtuoso (``tests/virtuoso.py``) through ``open_store("sparql:…").select``.
   A query is repeated until ``--repeat`` runs or QUERY_BUDGET seconds of runs, whichever
   comes first (the table says when fewer runs were made).
3. Validating and loading one new study with 0, ~N/10 and N studies already in the store:
   ``clkg validate NEW`` and ``clkg --store S load NEW`` as commands, and the same steps timed
   in-process to separate Python start-up and one-off parsing from the work.
4. Validating the whole corpus: per study (from 1.), and a sample of studies serially and with
   2 worker processes (do the machine's cores add up?).

The report (Markdown tables with ratios, the goals met or missed, the machine and the exact
command) is printed and written to benchmarks/results.md (benchmarks/results-quick.md for
``--quick``). The corpus is deterministic (``--seed``). The work folder is a temporary folder that
is removed at the end, unless ``--work`` names one (kept, for inspecting the stores). Worker
processes and Virtuoso are always stopped, on errors and Ctrl-C too.
"""

import argparse
import json
import os
import platform
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MARKER = ".clkg-benchmark"  # marks a work folder this script may clear

QUERY_BUDGET = 15.0  # seconds of runs of one query on one engine after which it is not repeated any more
VALIDATION_SAMPLE = 16  # studies validated serially and in parallel (section 4)
NEW_STUDY_NUMBER = 90000  # the new study of section 3 is synthetic-90000: no corpus study has that id
GOAL_LOAD_RATIO = 2.0
GOAL_AGAIN_RATIO = 1.5  # the same load again, nothing changed
GOAL_PEAK_BYTES = 2e9
GOAL_OVERHEAD = 0.10
GOAL_QUERY_SECONDS = 0.2
GOAL_NEW_STUDY_SECONDS = 1.0

CLKG_NS = "https://w3id.org/clkg/ontology#"
DCTERMS = "http://purl.org/dc/terms/"

STARTED = time.perf_counter()


def log(message: str) -> None:
    elapsed = int(time.perf_counter() - STARTED)
    print(f"[{elapsed // 60:3d}:{elapsed % 60:02d}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Processes: timed subprocesses with peak memory, and query workers with timeouts
# --------------------------------------------------------------------------------------------

@dataclass
class Run:
    seconds: float
    maxrss_kib: int
    returncode: int
    stdout: str
    stderr: str


def run_process(cmd: list[str], *, cwd: Path, check: bool = True) -> Run:
    """Run a command to the end: wall time and peak resident memory (ru_maxrss, KiB on Linux)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl-C: take the child (and anything it started) down too
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        run = Run(seconds, usage.ru_maxrss, process.returncode, out.read(), err.read())
    if check and run.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} exited with {run.returncode}:\n{run.stderr[-3000:]}")
    return run


def clkg_command(*args: str) -> list[str]:
    """The clkg command, as the installed console script runs it."""
    return [sys.executable, "-c", "import sys; from clkg.cli import main; sys.exit(main())", *args]


def child_command(*args: str) -> list[str]:
    """This script in a child role (see ``child_main``)."""
    return [sys.executable, str(Path(__file__).resolve()), "--child", *args]


class QueryTimeout(Exception):
    pass


class Worker:
    """A subprocess that answers queries on one engine; killed and restarted when it overruns.

    The worker reads JSON requests (one per line) and answers each with one JSON line. The parent
    waits at most ``timeout + grace`` seconds; then it kills the worker, records a timeout and
    starts a new worker for the next request. The rdflib worker also stops an overrunning query
    itself (SIGALRM, rdflib is pure Python) so that it need not reload the data; Virtuoso is given
    the same limit as MaxQueryExecutionTime; a pyoxigraph query cannot be interrupted, so the
    embedded worker is killed.
    """

    def __init__(self, engine: str, location: str, *, cwd: Path, grace: float, start_timeout: float = 3600):
        self.engine, self.location, self.cwd = engine, location, cwd
        self.grace, self.start_timeout = grace, start_timeout
        self.process: subprocess.Popen | None = None
        self.buffer = b""
        self.starts: list[dict] = []  # the ready message of each start (load time, memory)
        self.log = cwd / f"worker-{engine}.log"

    def start(self) -> dict:
        with open(self.log, "ab") as err:
            self.process = subprocess.Popen(child_command("worker", self.engine, self.location), cwd=self.cwd,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                            start_new_session=True)
        self.buffer = b""
        ready = self._reply(self.start_timeout)
        if ready is None or not ready.get("ready"):
            self.kill()
            raise RuntimeError(f"the {self.engine} worker did not start: {ready}; see {self.log}")
        self.starts.append(ready)
        return ready

    def ask(self, request: dict, timeout: float) -> dict:
        """One request; {"timeout": True} if it overran (the worker is then restarted lazily)."""
        if self.process is None:
            self.start()
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()
        reply = self._reply(timeout + self.grace)
        if reply is None:
            self.kill()
            return {"timeout": True, "killed": True}
        return reply

    def _reply(self, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None and not select.select([fd], [], [], 0)[0]:
                return None
            if select.select([fd], [], [], min(left, 1.0))[0]:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return None
                self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return json.loads(line)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait()
        self.process = None

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()


# --------------------------------------------------------------------------------------------
# The corpus and the stores
# --------------------------------------------------------------------------------------------

@dataclass
class Bench:
    """Settings and paths of one run, and everything it measured."""

    args: argparse.Namespace
    work: Path
    corpus: list[Path] = field(default_factory=list)
    new_study: Path | None = None
    results: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def stores(self) -> Path:
        return self.work / "stores"


def make_corpus(bench: Bench) -> None:
    sys.path.insert(0, str(HERE))
    from generate import write_corpus

    log(f"writing {bench.args.studies} synthetic studies (seed {bench.args.seed})")
    bench.corpus = write_corpus(bench.work / "corpus", studies=bench.args.studies, seed=bench.args.seed)
    bench.new_study = write_corpus(bench.work / "new", studies=1, seed=bench.args.seed + 1,
                                   start=NEW_STUDY_NUMBER)[0]


def read_datasets(paths: list[Path]) -> list:
    from clkg.loaders import read_dataset
    from clkg.vocabulary import prefixes

    return [read_dataset(p, prefixes=prefixes()) for p in paths]


def extra_graphs() -> dict:
    """The ontology and alignments graphs, as ``clkg build`` writes them (the queries need them)."""
    from clkg.alignments import ALIGNMENTS_GRAPH, alignment_quads
    from clkg.namespaces import ONTOLOGY_GRAPH
    from clkg.vocabulary import ontology_quads

    return {ONTOLOGY_GRAPH: ontology_quads(), ALIGNMENTS_GRAPH: alignment_quads()}


# --------------------------------------------------------------------------------------------
# 1. Load
# --------------------------------------------------------------------------------------------

def measure_load(bench: Bench) -> None:
    """clkg load of the whole corpus (wall, memory, breakdown) vs pyoxigraph's bulk load."""
    store = bench.stores / "corpus"
    timings = bench.work / "load-timings.json"
    log(f"1. clkg load of {len(bench.corpus)} studies (validation of every study first: the long part)")
    load = run_process(child_command("load", str(timings), f"oxigraph:{store}", *map(str, bench.corpus)),
                       cwd=bench.work)
    parts = json.loads(timings.read_text())
    log(f"   loaded {parts['triples']} triples in {load.seconds:.0f} s; the same load again, nothing changed")
    again = run_process(clkg_command("--store", f"oxigraph:{store}", "load", *map(str, bench.corpus)),
                        cwd=bench.work)
    skipped = again.stdout.count(": unchanged since it was loaded")
    log(f"   {fmt_s(again.seconds)}, {skipped} of {len(bench.corpus)} studies unchanged; exporting N-Quads")
    nquads = bench.work / "corpus.nq"
    export = run_process(clkg_command("--store", f"oxigraph:{store}", "export", "--format", "nq",
                                      "-o", str(nquads)), cwd=bench.work)
    log("   pyoxigraph bulk_load of the same N-Quads into a fresh store")
    bulk = run_process(child_command("bulk", str(nquads), str(bench.stores / "bulk")), cwd=bench.work)
    bulk_parts = json.loads(bulk.stdout)
    shutil.rmtree(bench.stores / "bulk", ignore_errors=True)
    bench.results["load"] = {
        "studies": len(bench.corpus), "triples": parts["triples"], "quads_bulk": bulk_parts["quads"],
        "wall": load.seconds, "maxrss_kib": load.maxrss_kib,
        "read": sum(parts["read"]), "validate": sum(parts["validate"]), "write": sum(parts["write"]),
        "per_study": parts["per_study"], "export": export.seconds, "nquads_bytes": nquads.stat().st_size,
        "bulk": bulk_parts["seconds"], "bulk_wall": bulk.seconds, "bulk_maxrss_kib": bulk.maxrss_kib,
        "again": again.seconds, "again_maxrss_kib": again.maxrss_kib, "again_unchanged": skipped,
    }


def child_load(timings_path: str, spec: str, *paths: str) -> int:
    """``clkg --store SPEC load PATHS`` with timers around read, validate, infer and replace_graphs."""
    started = time.perf_counter()
    import clkg.cli
    import clkg.loaders
    import clkg.parallel
    import clkg.pipeline
    import clkg.store

    per_study, reads, validations, infers, writes = [], [], [], [], []
    read, mapped, infer = clkg.loaders.read_datasets, clkg.parallel.mapped, clkg.pipeline.dataset_graphs
    open_store = clkg.store.open_store

    def timed_read(paths, **kwargs):  # every dataset at once: they may use each other's concepts
        t = time.perf_counter()
        datasets = read(paths, **kwargs)
        reads.append(time.perf_counter() - t)
        per_study.extend({"study": d.study_id, "triples": len(d.quads), "read": reads[-1] / len(datasets)}
                         for d in datasets)
        return datasets

    def timed_mapped(function, items, *, description, **kwargs):  # validation runs in workers: timed whole
        t = time.perf_counter()
        results = mapped(function, items, description=description, **kwargs)
        if description == "validating":
            validations.append(time.perf_counter() - t)
        return results

    def timed_infer(datasets, **kwargs):
        t = time.perf_counter()
        graphs = infer(datasets, **kwargs)
        infers.append(time.perf_counter() - t)
        return graphs

    def timed_open(spec=None, **kwargs):
        store = open_store(spec, **kwargs)
        replace = store.replace_graphs

        def timed_replace(graphs):
            t = time.perf_counter()
            replace(graphs)
            writes.append(time.perf_counter() - t)
        store.replace_graphs = timed_replace
        return store

    # clkg.cli and clkg.pipeline import these inside their functions, at call time
    clkg.loaders.read_datasets, clkg.parallel.mapped = timed_read, timed_mapped
    clkg.pipeline.dataset_graphs, clkg.store.open_store = timed_infer, timed_open
    code = clkg.cli.main(["--store", spec, "load", *paths])
    Path(timings_path).write_text(json.dumps({
        "per_study": per_study, "read": reads, "validate": validations,
        "infer": infers, "write": writes, "triples": sum(s["triples"] for s in per_study),
        "in_process": time.perf_counter() - started}))
    return code


def child_bulk(nquads: str, path: str) -> int:
    from pyoxigraph import RdfFormat, Store

    store = Store(path)
    started = time.perf_counter()
    store.bulk_load(path=nquads, format=RdfFormat.N_QUADS)
    store.flush()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "quads": len(store)}))
    return 0


# --------------------------------------------------------------------------------------------
# 2. Queries
# --------------------------------------------------------------------------------------------

@dataclass
class QueryCase:
    name: str
    params: dict[str, str]
    label: str


def prepare_query_store(bench: Bench) -> list[QueryCase]:
    """Add the ontology and alignments graphs to the loaded store; pick parameter values from it."""
    from clkg.saved_queries import saved_queries
    from clkg.store import open_store

    store = open_store(f"oxigraph:{bench.stores / 'corpus'}")
    store.replace_graphs(extra_graphs())
    first = f"https://w3id.org/clkg/graph/{bench.corpus[0].name}"  # the first study's graph

    def one(query: str) -> str:
        _, rows = store.select(query)
        if not rows:
            raise RuntimeError(f"the corpus has no value for a query parameter: {query}")
        return rows[0][0].value

    values = {
        "finding": one(f"SELECT ?f WHERE {{ GRAPH <{first}> {{ ?q <{CLKG_NS}supports> ?f }} }} ORDER BY ?f LIMIT 1"),
        "case": one(f"SELECT ?c WHERE {{ GRAPH <{first}> {{ ?f <{CLKG_NS}concernsCase> ?c }} }} ORDER BY ?c LIMIT 1"),
        "concept": one(f"SELECT ?x WHERE {{ GRAPH <{first}> {{ ?q a <{CLKG_NS}Quotation> ; <{DCTERMS}subject> ?x }} }} "
                       "GROUP BY ?x ORDER BY DESC(COUNT(?q)) ?x LIMIT 1"),
        "study": one(f"SELECT ?id WHERE {{ GRAPH <{first}> {{ ?s a <{CLKG_NS}Study> ; <{DCTERMS}identifier> ?id }} }}"),
        "scheme": "slf:scheme",
        "level": "2",
    }
    store.close()
    cases = []
    for query in saved_queries().values():
        if not query.params:
            cases.append(QueryCase(query.name, {}, query.name))
            continue
        missing = set(query.params) - set(values)
        if missing:
            raise RuntimeError(f"no benchmark value for parameter {', '.join(missing)} of {query.name}")
        params = {p: values[p] for p in query.params}
        shown = ", ".join(f"{p}={'…/' + '/'.join(v.split('/')[-3:]) if '://' in v else v}" for p, v in params.items())
        cases.append(QueryCase(query.name, params, f"{query.name} ({shown})"))
        if not any(p.required for p in query.params.values()):
            cases.append(QueryCase(query.name, {}, f"{query.name} (no parameter)"))
    return cases


def repeat_query(worker: Worker, case: QueryCase, modes: list[str], *, repeat: int, timeout: float) -> dict:
    """Run a query in each mode, interleaved, up to ``repeat`` times or QUERY_BUDGET seconds per mode.

    The first run warms the caches up and is not counted, unless it took over a second (then it counts
    as the first run of the first mode: warming up is cheap next to such a query, running it again is not).
    """
    runs: dict[str, list[float]] = {m: [] for m in modes}
    out: dict[str, dict] = {}
    rows: dict[str, int] = {}
    warm = worker.ask({"query": case.name, "params": case.params, "mode": modes[0], "timeout": timeout}, timeout)
    if warm.get("timeout"):
        return {m: {"timeout": True, "not_run": m != modes[0]} for m in modes}
    if "seconds" in warm and warm["seconds"] > 1.0:
        runs[modes[0]].append(warm["seconds"])
        rows[modes[0]] = warm["rows"]
    for _ in range(repeat):
        for mode in modes:
            if mode in out or len(runs[mode]) >= repeat:
                continue
            reply = worker.ask({"query": case.name, "params": case.params, "mode": mode, "timeout": timeout}, timeout)
            if reply.get("timeout"):
                # every later mode is the same query plus work, so it would overrun too
                for later in modes[modes.index(mode):]:
                    out.setdefault(later, {"timeout": True, "not_run": later != mode})
                break
            if "error" in reply:
                out[mode] = {"error": reply["error"]}
                continue
            runs[mode].append(reply["seconds"])
            rows[mode] = reply["rows"]
        if all(m in out or sum(runs[m]) > QUERY_BUDGET for m in modes):
            break
    for mode in modes:
        if mode not in out:
            out[mode] = {"median": statistics.median(runs[mode]), "runs": len(runs[mode]), "rows": rows[mode],
                         "min": min(runs[mode])}
    return out


def measure_queries(bench: Bench, cases: list[QueryCase], engine: str, location: str, modes: list[str],
                    timeout: float) -> dict:
    """Every query case on one engine: {label: {mode: result}} and the worker's start-up."""
    args = bench.args
    worker = Worker(engine, location, cwd=bench.work, grace=0 if engine == "oxigraph" else 30)
    results = {}
    try:
        ready = worker.start()
        log(f"   {engine} worker ready in {ready['seconds']:.1f} s")
        for i, case in enumerate(cases, 1):
            results[case.label] = repeat_query(worker, case, modes, repeat=args.repeat, timeout=timeout)
            summary = ", ".join(f"{m} {fmt_result(r, timeout)}" for m, r in results[case.label].items())
            log(f"   [{i}/{len(cases)}] {case.label}: {summary}")
    finally:
        worker.close()
    return {"results": results, "starts": worker.starts, "timeout": timeout}


def measure_embedded_queries(bench: Bench, cases: list[QueryCase]) -> None:
    log("2. queries (a) clkg run_query and (b) raw pyoxigraph query on the embedded store")
    bench.results["queries"] = {"cases": [c.label for c in cases],
                                "oxigraph": measure_queries(bench, cases, "oxigraph", str(bench.stores / "corpus"),
                                                            ["raw", "clkg"], bench.args.timeout)}


def measure_rdflib_queries(bench: Bench, cases: list[QueryCase]) -> None:
    from clkg.store import open_store

    nquads = bench.work / "everything.nq"
    log("2. (c) rdflib: exporting the store with the ontology, then loading it into rdflib in a worker")
    store = open_store(f"oxigraph:{bench.stores / 'corpus'}")
    with open(nquads, "wb") as out:
        store.dump(out, format="nq")
    store.close()
    del store
    bench.results["queries"]["rdflib"] = measure_queries(bench, cases, "rdflib", str(nquads), ["rdflib"],
                                                         bench.args.rdflib_timeout)
    nquads.unlink()


@contextmanager
def running_virtuoso(bench: Bench):
    """A fresh Virtuoso (tests/virtuoso.py) with room for 1M triples and the benchmark's limits."""
    sys.path.insert(0, str(REPO / "tests"))
    import virtuoso

    original = virtuoso._config

    def config(folder, sql_port, http_port):
        ini = original(folder, sql_port, http_port)
        ini["Parameters"]["NumberOfBuffers"] = "170000"  # virtuoso.ini's setting for 2 GB of memory
        ini["Parameters"]["MaxDirtyBuffers"] = "130000"
        # the swap of all graphs is one transaction: allow its log entry more than the default 50 MB
        ini["Parameters"]["TransactionAfterImageLimit"] = "1500000000"
        ini["SPARQL"]["ResultSetMaxRows"] = "10000000"  # answers of 30k rows are normal here
        ini["SPARQL"]["MaxQueryExecutionTime"] = str(int(bench.args.timeout))  # the benchmark's timeout
        ini.remove_option("SPARQL", "MaxQueryCostEstimationTime")  # run, do not refuse, costly queries
        return ini

    virtuoso._config = config
    try:
        server = virtuoso.start(bench.work / "virtuoso")
    finally:
        virtuoso._config = original
    try:
        yield server
    finally:
        peak = _peak_rss_kib(server.process.pid)
        if peak:
            bench.results.setdefault("virtuoso", {})["maxrss_kib"] = peak
        server.stop()
        log(f"   Virtuoso stopped ({server.stopped_in or 0:.1f} s)")


def _peak_rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def measure_virtuoso(bench: Bench, cases: list[QueryCase]) -> None:
    """Write the corpus to Virtuoso with clkg's SPARQL store (the write step of clkg load), then query it."""
    from clkg.store import open_store

    log("2. (d) Virtuoso: starting a throw-away server")
    with running_virtuoso(bench) as server:
        spec = f"sparql:{server.sparql}#gsp=sparql-graph-crud"
        info = bench.results.setdefault("virtuoso", {})
        info.update(started_in=server.started_in, spec=spec)
        log("   reading the corpus in-process (validation is store-independent: measured in 1.)")
        t = time.perf_counter()
        datasets = read_datasets(bench.corpus)
        info["read"] = time.perf_counter() - t
        store = open_store(spec)
        log(f"   writing {sum(len(d.quads) for d in datasets)} triples with the SPARQL store's replace_graphs (GSP PUT)")
        t = time.perf_counter()
        store.replace_graphs({d.graph: d.quads for d in datasets})
        info["write"] = time.perf_counter() - t
        del datasets
        store.replace_graphs(extra_graphs())
        info["triples"] = sum(store.graph_sizes().values())
        bench.results["queries"]["virtuoso"] = measure_queries(bench, cases, "virtuoso", spec, ["select"],
                                                               bench.args.timeout)


def child_worker(engine: str, location: str) -> int:
    """Answer query requests on stdin (see Worker)."""
    import resource

    started = time.perf_counter()
    from clkg.saved_queries import bindings, run_query, saved_queries
    from clkg.store import open_store
    from clkg.tables import pivot
    from clkg.prefixes import converter

    size = None
    if engine == "rdflib":
        import rdflib

        store = rdflib.Dataset(default_union=True)
        store.parse(location, format="nquads")
        size = len(store)
    else:
        # virtuoso, server: location is a sparql: spec
        store = open_store(f"oxigraph:{location}" if engine == "oxigraph" else location, read_only=True)
        if engine == "oxigraph":
            import pyoxigraph
            raw = pyoxigraph.Store.read_only(location)
    ready = {"ready": True, "seconds": time.perf_counter() - started, "size": size,
             "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    print(json.dumps(ready), flush=True)

    def overrun(signum, frame):
        raise QueryTimeout()

    signal.signal(signal.SIGALRM, overrun)
    for line in sys.stdin:
        request = json.loads(line)
        query = saved_queries()[request["query"]]
        mode, text = request["mode"], query.text
        substitutions = bindings(query, request["params"], prefixes=converter()) or None
        try:
            if engine == "rdflib":  # pure Python: an alarm can stop it without losing the loaded data
                signal.setitimer(signal.ITIMER_REAL, request["timeout"])
                init = {k.value: _rdflib_term(v) for k, v in (substitutions or {}).items()}
            started = time.perf_counter()
            if mode == "clkg":
                rows = len(run_query(store, query.name, request["params"]).rows)
            elif mode == "pivot":  # clkg compare: the query, then its table pivoted
                rows = len(pivot(run_query(store, query.name, request["params"])).rows)
            elif mode == "raw":
                rows = len(list(raw.query(text, substitutions=substitutions,
                                                   use_default_graph_as_union=True)))
            elif mode == "rdflib":
                rows = len(list(store.query(text, initBindings=init)))
            elif mode == "select":
                rows = len(store.select(text, substitutions=substitutions)[1])
            else:
                raise ValueError(f"unknown mode {mode}")
            reply = {"seconds": time.perf_counter() - started, "rows": rows}
        except QueryTimeout:
            reply = {"timeout": True}
        except Exception as err:  # noqa: BLE001 - reported in the table
            text = str(err)
            if "answered only in part" in text:  # Virtuoso's MaxQueryExecutionTime
                reply = {"timeout": True}
            else:
                reply = {"error": f"{type(err).__name__}: {' '.join(text.split())[:300]}"}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        print(json.dumps(reply), flush=True)
    return 0


def _rdflib_term(term):
    from rdflib import Literal, URIRef

    if not hasattr(term, "datatype"):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)  # rdflib parses "x" from N-Quads as a plain literal
    return Literal(term.value, datatype=URIRef(term.datatype.value))


# --------------------------------------------------------------------------------------------
# 3. One new study, with stores of three sizes
# --------------------------------------------------------------------------------------------

def measure_new_study(bench: Bench) -> None:
    """``clkg validate NEW`` and ``clkg load NEW`` into stores of 0, N/10 and N studies; the steps in-process."""
    from clkg.store import open_store

    args, new = bench.args, str(bench.new_study)
    mid = max(1, round(len(bench.corpus) / 10))
    stores = [("empty", bench.stores / "empty", []), (studies_label(mid), bench.stores / "mid", bench.corpus[:mid]),
              (studies_label(len(bench.corpus)), bench.stores / "corpus", None)]
    log(f"3. one new study ({bench.new_study.name}): validate, and load into stores of 0, {mid} "
        f"and {len(bench.corpus)} studies")
    for _, path, studies in stores:
        if studies is not None:  # (the whole-corpus store is the one of 1. and 2.)
            store = open_store(f"oxigraph:{path}")
            if studies:
                store.replace_graphs({d.graph: d.quads for d in read_datasets(studies)})
            store.close()
            del store
    startup = [run_process([sys.executable, "-c", "pass"], cwd=bench.work).seconds for _ in range(args.repeat)]
    validates = [run_process(clkg_command("validate", new), cwd=bench.work) for _ in range(args.repeat)]
    rows = []
    for label, path, _ in stores:
        spec = f"oxigraph:{path}"
        triples = _store_triples(path)  # before the new study is loaded
        loads = [run_process(clkg_command("--store", spec, "load", new), cwd=bench.work) for _ in range(args.repeat)]
        steps = [json.loads(run_process(child_command("new-study", spec, new), cwd=bench.work).stdout)
                 for _ in range(args.repeat)]
        rows.append({"store": label, "triples": triples, "load_wall": statistics.median(r.seconds for r in loads),
                     "load_maxrss_kib": max(r.maxrss_kib for r in loads),
                     "steps": {k: statistics.median(s[k] for s in steps) for k in steps[0]}})
        log(f"   {label}: clkg load NEW {rows[-1]['load_wall']:.2f} s")
    bench.results["new_study"] = {"triples": int(rows[0]["steps"]["quads"]), "startup": statistics.median(startup),
                                  "validate_wall": statistics.median(r.seconds for r in validates),
                                  "validate_maxrss_kib": max(r.maxrss_kib for r in validates), "stores": rows}


def studies_label(n: int) -> str:
    return f"{n} study" if n == 1 else f"{n} studies"


def _store_triples(path: Path) -> int:
    from clkg.store import open_store

    store = open_store(f"oxigraph:{path}")
    triples = sum(store.graph_sizes().values())
    store.close()
    return triples


def child_new_study(spec: str, path: str) -> int:
    """The steps of ``clkg load NEW``, timed one by one in a fresh process."""
    t = [time.perf_counter()]

    def lap() -> float:
        t.append(time.perf_counter())
        return t[-1] - t[-2]

    import pyoxigraph  # noqa: F401 - the libraries clkg load needs, imported up front to time them
    import pyshacl  # noqa: F401
    import rdflib  # noqa: F401

    from clkg.loaders import read_dataset
    from clkg.store import open_store
    from clkg.validation import shapes_graph, validate
    from clkg.vocabulary import ontology_quads, prefixes
    steps = {"imports": lap()}
    ontology_quads(), prefixes()
    steps["ontology"] = lap()
    shapes_graph()
    steps["shapes"] = lap()
    dataset = read_dataset(path, prefixes=prefixes())
    steps["read"] = lap()
    validate(dataset)
    steps["validate_first"] = lap()
    validate(dataset)
    steps["validate_again"] = lap()
    store = open_store(spec)
    steps["open"] = lap()
    store.replace_graphs({dataset.graph: dataset.quads})
    steps["write"] = lap()
    steps["quads"] = len(dataset.quads)
    print(json.dumps(steps))
    store.close()
    return 0


# --------------------------------------------------------------------------------------------
# 4. Validation of the whole corpus: serial and 2 workers
# --------------------------------------------------------------------------------------------

def measure_validation(bench: Bench) -> None:
    """Per study from the load (1.); a sample serially and with 2 processes."""
    step = max(1, len(bench.corpus) // VALIDATION_SAMPLE)
    sample = bench.corpus[::step][:VALIDATION_SAMPLE]
    log(f"4. validating a sample of {len(sample)} studies: serial, 2 processes")
    variants = {}
    for name, workers in [("serial", 1), ("2 processes", 2)]:
        run = run_process(child_command("validate", str(workers), *map(str, sample)), cwd=bench.work)
        variants[name] = json.loads(run.stdout) | {"wall": run.seconds, "maxrss_kib": run.maxrss_kib}
        log(f"   {name}: {variants[name]['seconds']:.1f} s")
    bench.results["validation"] = {"sample": [p.name for p in sample], "variants": variants}


def child_validate(workers: str, *paths: str) -> int:
    """Read and validate datasets with 1 or more processes; the time and what was found."""
    import multiprocessing

    started = time.perf_counter()
    if int(workers) == 1:
        found = [_validate_one(p) for p in paths]
    else:
        with multiprocessing.get_context("spawn").Pool(int(workers)) as pool:
            found = pool.map(_validate_one, paths, chunksize=1)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "triples": sum(f[0] for f in found), "found": [f[1:] for f in found]}))
    return 0


def _validate_one(path: str) -> tuple[int, bool, int]:
    from clkg.loaders import read_dataset
    from clkg.validation import validate
    from clkg.vocabulary import prefixes

    dataset = read_dataset(path, prefixes=prefixes())
    report = validate(dataset)
    return len(dataset.quads), report.conforms, len(report.results)


# --------------------------------------------------------------------------------------------
# The machine
# --------------------------------------------------------------------------------------------

def describe_machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    def cpuinfo(key: str) -> str:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
        return "?"

    def meminfo_gib() -> str:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
        return "?"

    def os_name() -> str:
        try:
            for line in Path("/etc/os-release").read_text().splitlines():
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip('"') + f" (Linux {platform.release()})"
        except OSError:
            pass
        return platform.platform()

    def pkg(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    def virtuoso() -> str:
        if not shutil.which("virtuoso-t"):
            return "not installed"
        out = subprocess.run(["virtuoso-t", "--version"], capture_output=True, text=True)
        lines = (out.stderr or out.stdout).splitlines()
        return " ".join(lines[:2]).strip() or "?"

    def git() -> str:
        try:
            head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                  text=True, check=True).stdout.strip()
            dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                                   capture_output=True, text=True).stdout.strip()
            return head + (" with uncommitted changes" if dirty else "")
        except (OSError, subprocess.CalledProcessError):
            return "?"

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    return {"CPU": f"{cpuinfo('model name')} ({cpuinfo('cpu MHz')} MHz)", "cores": str(cores),
            "2 processes at once": parallel_speed(),
            "RAM": meminfo_gib(), "OS": os_name(), "Python": platform.python_version(),
            "clkg": f"{pkg('clkg')} (git {git()})", "pyoxigraph": pkg("pyoxigraph"), "pyshacl": pkg("pyshacl"),
            "rdflib": pkg("rdflib"), "Virtuoso": virtuoso()}


def parallel_speed() -> str:
    """How fast two CPU-bound processes run side by side, relative to one alone (do the cores add up?)."""
    loop = "import time; t = time.perf_counter(); sum(range(30_000_000)); print(time.perf_counter() - t)"
    alone = float(subprocess.run([sys.executable, "-c", loop], capture_output=True, text=True).stdout)
    pair = [subprocess.Popen([sys.executable, "-c", loop], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    together = max(float(p.communicate()[0]) for p in pair)
    return (f"each runs at {alone / together:.0%} of the speed of one alone (a busy loop: {alone:.2f} s alone, "
            f"{together:.2f} s side by side), so 2 processes do {2 * alone / together:.1f}× the work of one")


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------

def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds == float("inf"):
        return "timeout"
    if seconds < 1:
        return f"{seconds * 1000:.3g} ms"
    if seconds < 100:
        return f"{seconds:.1f} s"
    return f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def fmt_mem(kib: int | None) -> str:
    if not kib:
        return "—"
    return f"{kib * 1024 / 1e9:.2f} GB" if kib * 1024 >= 1e9 else f"{kib * 1024 / 1e6:.0f} MB"


def fmt_ratio(a: float | None, b: float | None) -> str:
    if not a or not b or a == float("inf") or b == float("inf"):
        return "—"
    return f"{a / b:.2f}×" if a / b < 10 else f"{a / b:.0f}×"


def fmt_result(result: dict | None, timeout: float, repeat: int | None = None) -> str:
    if result is None:
        return "—"
    if result.get("timeout"):
        return f"> {timeout:g} s" + (" ²" if result.get("not_run") else "")
    if "error" in result:
        return "error ³"
    text = fmt_s(result["median"])
    if repeat and result["runs"] < repeat:
        text += f" ({result['runs']}×)"
    return text


def seconds_of(result: dict | None) -> float | None:
    if result is None or "error" in result:
        return None
    return float("inf") if result.get("timeout") else result["median"]


def table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(headers) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("**met**" if met else "**missed**")


def render_report(bench: Bench, machine: dict, command: str) -> str:
    args, r = bench.args, bench.results
    out = [f"# clkg benchmarks: {args.studies} synthetic studies",
           "",
           f"Produced by `{command}` (seed {args.seed}, {args.repeat} repeats, query timeout {args.timeout:g} s, "
           f"{args.rdflib_timeout:g} s on rdflib), "
           f"{time.strftime('%Y-%m-%d %H:%M %Z')}, in {fmt_s(time.perf_counter() - STARTED)}. "
           "Regenerate it with the same command; every number below comes from that one run.",
           "", "## Machine", "", table(["", ""], [[k, v] for k, v in machine.items()], "ll")]
    goals = []

    if "load" in r:
        ld = r["load"]
        rest = ld["wall"] - ld["read"] - ld["validate"] - ld["write"]
        ratio, write_ratio = ld["wall"] / ld["bulk"], ld["write"] / ld["bulk"]
        rows = [["`clkg load CORPUS/*` (a process: wall time, peak memory)", fmt_s(ld["wall"]), "100%",
                 fmt_mem(ld["maxrss_kib"])],
                ["· read + map (sum over studies)", fmt_s(ld["read"]), f"{ld['read'] / ld['wall']:.0%}", ""],
                ["· SHACL validation (in workers, one per core)", fmt_s(ld["validate"]), f"{ld['validate'] / ld['wall']:.0%}", ""],
                ["· write: `replace_graphs` into the fresh store, one transaction", fmt_s(ld["write"]),
                 f"{ld['write'] / ld['wall']:.0%}", ""],
                ["· Python start-up, imports, the rest", fmt_s(rest), f"{rest / ld['wall']:.0%}", ""],
                ["`clkg export --format nq` (for the next line)", fmt_s(ld["export"]), "", ""],
                ["pyoxigraph `Store.bulk_load` of the same quads (N-Quads, fresh store)", fmt_s(ld["bulk"]), "",
                 fmt_mem(ld["bulk_maxrss_kib"])],
                ["**clkg load / bulk load**", f"**{fmt_ratio(ld['wall'], ld['bulk'])}**", "", ""],
                ["write only / bulk load", fmt_ratio(ld["write"], ld["bulk"]), "", ""]]
        if "again" in ld:
            rows += [[f"`clkg load CORPUS/*` again, nothing changed ({ld['again_unchanged']} of {ld['studies']} "
                      "studies found unchanged: nothing validated or written)", fmt_s(ld["again"]), "",
                      fmt_mem(ld["again_maxrss_kib"])],
                     ["**load again / bulk load**", f"**{fmt_ratio(ld['again'], ld['bulk'])}**", "", ""]]
        if "virtuoso" in r and "write" in r["virtuoso"]:
            v = r["virtuoso"]
            rows += [["Virtuoso: write with the SPARQL store's `replace_graphs` (GSP PUT per graph, one swap)",
                      fmt_s(v["write"]), "", ""],
                     ["Virtuoso: `clkg load` estimate = read + validation (as above) + this write",
                      fmt_s(ld["read"] + ld["validate"] + v["write"]), "", ""]]
        out += ["", f"## 1. Load: {ld['studies']} studies, {ld['triples']:,} triples", "",
                table(["", "time", "share", "peak memory"], rows), "",
                f"The N-Quads file is {ld['nquads_bytes'] / 1e6:.0f} MB ({ld['quads_bulk']:,} quads after bulk load). "
                "The breakdown is measured inside the same `clkg load` process (timers around `read_dataset`, "
                "`validate` and the store's `replace_graphs`)."]
        goals += [f"Load ≤ {GOAL_LOAD_RATIO:g}× pyoxigraph's bulk load: {verdict(ratio <= GOAL_LOAD_RATIO)} "
                  f"({ratio:.0f}×: {fmt_s(ld['wall'])} vs {fmt_s(ld['bulk'])}; the write alone is {write_ratio:.1f}×)",
                  *([f"Load again with nothing changed ≤ {GOAL_AGAIN_RATIO:g}× bulk load: "
                     f"{verdict(ld['again'] / ld['bulk'] <= GOAL_AGAIN_RATIO)} ({ld['again'] / ld['bulk']:.2f}×: "
                     f"{fmt_s(ld['again'])})"] if "again" in ld else []),
                  f"Peak memory of the load < {GOAL_PEAK_BYTES / 1e9:g} GB: "
                  f"{verdict(ld['maxrss_kib'] * 1024 < GOAL_PEAK_BYTES)} ({fmt_mem(ld['maxrss_kib'])})"]

    if "queries" in r:
        out += ["", *render_queries(bench, goals)]

    if "new_study" in r:
        out += ["", *render_new_study(bench, goals)]

    if "load" in r or "validation" in r:
        out += ["", *render_validation(bench)]

    out += ["", "## Goals", "", *[f"- {g}" for g in goals]]
    if bench.notes:
        out += ["", "## Notes", "", *[f"- {n}" for n in bench.notes]]
    return "\n".join(out) + "\n"


def render_queries(bench: Bench, goals: list[str]) -> list[str]:
    args, q = bench.args, bench.results["queries"]
    engines = {"oxigraph": args.timeout, "rdflib": args.rdflib_timeout, "virtuoso": args.timeout}
    ran = {e: e in q for e in engines}

    def result(engine: str, label: str, mode: str) -> dict | None:
        return q[engine]["results"].get(label, {}).get(mode) if ran[engine] else None

    def cell(engine: str, res: dict | None) -> str:
        return fmt_result(res, engines[engine], args.repeat) if ran[engine] else "not run"

    rows, times, pairs, mismatches, errors = [], {m: [] for m in ("clkg", "raw", "rdflib", "select")}, [], [], []
    for label in q["cases"]:
        res = {"clkg": result("oxigraph", label, "clkg"), "raw": result("oxigraph", label, "raw"),
               "rdflib": result("rdflib", label, "rdflib"), "select": result("virtuoso", label, "select")}
        t = {m: seconds_of(r) for m, r in res.items()}
        for m in times:
            times[m].append(t[m])
        overhead = ""
        if all(t[m] not in (None, float("inf")) for m in ("clkg", "raw")):
            pairs.append((label, t["clkg"], t["raw"]))
            overhead = f"{t['clkg'] / t['raw'] - 1:+.0%} ({(t['clkg'] - t['raw']) * 1000:+.1f} ms)"
        expected, differing = (res["raw"] or {}).get("rows"), []
        for engine, mode in (("rdflib", "rdflib"), ("Virtuoso", "select")):
            other = res[mode] or {}
            if "rows" in other and expected is not None and other["rows"] != expected:
                mismatches.append(f"{label}: {engine} {other['rows']:,} rows, pyoxigraph {expected:,}")
                differing.append(f"{engine}: {other['rows']:,}")
            if "error" in other:
                errors.append(f"{label}, {engine}: {other['error']}")
        rows_text = "—" if expected is None else f"{expected:,}" + (f" ⁴ ({'; '.join(differing)})" if differing else "")
        rows.append([label, rows_text, cell("oxigraph", res["clkg"]), cell("oxigraph", res["raw"]), overhead,
                     cell("rdflib", res["rdflib"]), cell("virtuoso", res["select"]),
                     fmt_ratio(t["rdflib"], t["raw"]) if ran["rdflib"] else "",
                     fmt_ratio(t["select"], t["raw"]) if ran["virtuoso"] else ""])

    def med(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    m = {mode: med(values) for mode, values in times.items()}
    rows.append(["**median over the queries**", "", f"**{fmt_s(m['clkg'])}**", f"**{fmt_s(m['raw'])}**", "",
                 fmt_s(m["rdflib"]) if ran["rdflib"] else "", fmt_s(m["select"]) if ran["virtuoso"] else "",
                 fmt_ratio(m["rdflib"], m["raw"]) if ran["rdflib"] else "",
                 fmt_ratio(m["select"], m["raw"]) if ran["virtuoso"] else ""])
    triples = bench.results.get("load", {}).get("triples")
    out = [f"## 2. Saved queries on {len(bench.corpus)} studies"
           + (f" ({triples:,} triples + the ontology and alignments graphs)" if triples else ""), "",
           table(["query", "rows", "(a) clkg `run_query`", "(b) raw pyoxigraph", "overhead (a)/(b)",
                  "(c) rdflib", "(d) Virtuoso `select`", "rdflib / raw", "Virtuoso / raw"], rows), ""]
    notes = [f"Median of {args.repeat} runs, or of fewer (n×) once the runs of one query on one engine passed "
             f"{QUERY_BUDGET:g} s. A query that passes its timeout ({args.timeout:g} s; {args.rdflib_timeout:g} s on "
             "rdflib, where most queries overrun any timeout at this size and each overrun costs the whole "
             "timeout) is stopped: the embedded worker is killed and restarted; rdflib's worker stops the query "
             "with an alarm and keeps its data (it is killed too if that fails); Virtuoso stops it itself "
             "(MaxQueryExecutionTime). Timeouts count as infinitely slow in the medians.",
             "(a) and (b) run in the same worker, alternately. Parameters: a value from the first study "
             "(a finding with evidence, a case with findings, the concept most of its quotations illustrate, its "
             "id), slf:scheme and level 2.",
             "² not run: the same query without clkg's conversion (b) already passed the timeout."]
    if errors:
        notes.append("³ errors: " + "; ".join(errors))
    if mismatches:
        notes.append("⁴ the engines disagree on the number of rows: " + "; ".join(mismatches))
    notes.append(f"Embedded worker: {len(q['oxigraph']['starts'])} start(s) (the first, and one after each kill).")
    if ran["rdflib"]:
        s = q["rdflib"]["starts"]
        notes.append(f"rdflib worker: loading the N-Quads into `Dataset(default_union=True)` took "
                     f"{fmt_s(s[0]['seconds'])} ({s[0]['size']:,} quads), peak memory {fmt_mem(s[0]['maxrss_kib'])}; "
                     f"{len(s)} start(s).")
    if ran["virtuoso"]:
        notes.append(f"Virtuoso {virtuoso_note(bench.results.get('virtuoso', {}))}. The SPARQL store asks the "
                     "server for the list of clkg's graphs once per store object (in the worker's start-up), "
                     "so each query in (d) is one request.")
    out += [f"- {n}" for n in notes]

    if pairs:
        goals.append(overhead_goal(pairs))
    slowest = sorted(((t, label) for t, label in zip(times["clkg"], q["cases"]) if t is not None), reverse=True)[:4]
    fast = sum(1 for t in times["clkg"] if t is not None and t <= GOAL_QUERY_SECONDS)
    goals.append(f"Median query ≤ {GOAL_QUERY_SECONDS * 1000:g} ms embedded: "
                 f"{verdict(m['clkg'] is not None and m['clkg'] <= GOAL_QUERY_SECONDS)} (median {fmt_s(m['clkg'])}; "
                 f"{fast} of {len(times['clkg'])} queries within {GOAL_QUERY_SECONDS * 1000:g} ms; slowest: "
                 + ", ".join(f"{label} {fmt_s(t) if t != float('inf') else f'> {args.timeout:g} s'}"
                             for t, label in slowest) + ")")
    return out


def overhead_goal(pairs: list[tuple[str, float, float]], goal: float = GOAL_OVERHEAD) -> str:
    """The verdict on clkg's overhead over the raw query, from (label, clkg seconds, raw seconds)."""
    overall = sum(a for _, a, _ in pairs) / sum(b for _, _, b in pairs) - 1
    per_query = statistics.median(a / b - 1 for _, a, b in pairs)
    above = [label for label, a, b in pairs if b >= 0.01 and a > b * (1 + goal)]
    return (f"clkg's overhead over the raw store query ≤ {goal:.0%}: "
            f"{verdict(overall <= goal and per_query <= goal)} (median per query "
            f"{per_query:+.1%}, over the summed times {overall:+.1%}; queries of ≥ 10 ms above "
            f"{goal:.0%}: {', '.join(above) or 'none'})")


def virtuoso_note(v: dict) -> str:
    parts = [f"started in {fmt_s(v.get('started_in'))}"]
    if "triples" in v:
        parts.append(f"holds {v['triples']:,} triples")
    if v.get("maxrss_kib"):
        parts.append(f"peak memory {fmt_mem(v['maxrss_kib'])}")
    parts.append("NumberOfBuffers 170000, ResultSetMaxRows 10000000, MaxQueryExecutionTime = the timeout")
    return ", ".join(parts)


def render_new_study(bench: Bench, goals: list[str]) -> list[str]:
    ns = bench.results["new_study"]
    stores = ns["stores"]
    step = lambda key: [fmt_s(s["steps"][key]) for s in stores]  # noqa: E731
    works = [s["steps"]["read"] + s["steps"]["validate_first"] + s["steps"]["write"] for s in stores]
    rows = [["triples in the store before", *(f"{s['triples']:,}" for s in stores)],
            ["`clkg validate NEW` (wall; the store is not opened)", *[fmt_s(ns["validate_wall"])] * len(stores)],
            ["**`clkg --store S load NEW`** (wall)", *(f"**{fmt_s(s['load_wall'])}**" for s in stores)],
            ["`clkg load` peak memory", *(fmt_mem(s["load_maxrss_kib"]) for s in stores)],
            ["*in-process, fresh process:* `python -c pass` (interpreter start-up)", *[fmt_s(ns["startup"])] * len(stores)],
            ["· import pyoxigraph, pyshacl, rdflib, clkg", *step("imports")],
            ["· parse the ontology (once per process)", *step("ontology")],
            ["· parse the SHACL shapes (once per process)", *step("shapes")],
            ["· read + map the study", *step("read")],
            ["· validate (first call in the process)", *step("validate_first")],
            ["· validate again (same process)", *step("validate_again")],
            ["· open the store", *step("open")],
            ["· write: `replace_graphs` of its graph", *step("write")],
            ["**work = read + validate (first) + write**", *(f"**{fmt_s(w)}**" for w in works)]]
    flat = max(works) / min(works)
    loads = [s["load_wall"] for s in stores]
    goals.append(f"One new study: < {GOAL_NEW_STUDY_SECONDS:g} s of work, flat: "
                 f"{verdict(max(works) < GOAL_NEW_STUDY_SECONDS and flat < 1.25)} (work {fmt_s(min(works))} to "
                 f"{fmt_s(max(works))}: {'flat' if flat < 1.25 else 'not flat'}, largest/smallest {flat:.2f}; "
                 f"the command `clkg load NEW` takes {fmt_s(min(loads))} to {fmt_s(max(loads))}, "
                 f"`clkg validate NEW` {fmt_s(ns['validate_wall'])})")
    return [f"## 3. One new study ({ns['triples']:,} triples): validate it, and load it into stores of three sizes", "",
            table(["", *(s["store"] for s in stores)], rows), "",
            f"Median of {bench.args.repeat} runs of each command, and of the in-process steps (run by this script "
            "in a fresh process, in the order `clkg load` takes them). 'Work' is what grows with the data; the "
            "start-up, imports and parsing are paid by every `clkg` command that validates. The 'empty' store holds "
            "at most the new study itself (each run replaces its graph)."]


def render_validation(bench: Bench) -> list[str]:
    r = bench.results
    out = ["## 4. Validating the whole corpus", ""]
    rows = []
    total_triples = None
    if "load" in r:
        per = r["load"]["per_study"]
        total_triples = sum(s["triples"] for s in per)
        total = r["load"]["validate"]
        rows.append([f"all {len(per)} studies, inside `clkg load` (1.: one worker per core)", f"{total_triples:,}",
                     fmt_s(total), f"mean {fmt_s(total / len(per))} of wall time",
                     f"{total / total_triples * 1000 * 1000:.0f} ms", "", ""])
    if "validation" in r:
        variants = r["validation"]["variants"]
        base = variants["serial"]
        for name, v in variants.items():
            n = len(r["validation"]["sample"])
            whole = v["seconds"] * total_triples / v["triples"] if total_triples else None
            same = "" if v["found"] == base["found"] else " (different results!)"
            rows.append([f"sample of {n} studies: {name}{same}", f"{v['triples']:,}", fmt_s(v["seconds"]),
                         fmt_s(v["seconds"] / n), f"{v['seconds'] / v['triples'] * 1e6:.0f} ms",
                         fmt_ratio(base["seconds"], v["seconds"]), fmt_s(whole)])
    out += [table(["", "triples", "time", "per study", "per 1,000 triples", "speed-up", "extrapolated to the corpus"],
                  rows), "",
            "The sample runs read and validate the studies in one fresh process (with 2 processes: a `spawn` "
            "pool, start-up included). 'different results!' would mean the variant's reports differ from the "
            "serial ones."]
    return out


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--studies", type=int, default=None, help="synthetic studies (default 330, about 1M triples)")
    p.add_argument("--repeat", type=int, default=None, help="runs per query and timing (default 5)")
    p.add_argument("--seed", type=int, default=1, help="seed of the synthetic corpus (default 1)")
    p.add_argument("--timeout", type=float, default=120,
                   help="seconds a query may take on the embedded store and Virtuoso (default 120)")
    p.add_argument("--rdflib-timeout", type=float, default=30,
                   help="seconds a query may take on rdflib (default 30: at 1M triples most saved queries "
                        "overrun any timeout there, and each overrun costs the whole timeout)")
    p.add_argument("--work", type=Path, help="work folder, kept afterwards (default: a temporary folder, removed)")
    p.add_argument("--output", type=Path, help="the report (default benchmarks/results.md, "
                                               "benchmarks/results-quick.md with --quick)")
    p.add_argument("--quick", action="store_true", help="a smoke run: 33 studies, 3 repeats")
    p.add_argument("--no-virtuoso", action="store_true", help="skip Virtuoso")
    p.add_argument("--no-rdflib", action="store_true", help="skip rdflib")
    args = p.parse_args(argv)
    args.studies = args.studies or (33 if args.quick else 330)
    args.repeat = args.repeat or (3 if args.quick else 5)
    args.output = (args.output or HERE / ("results-quick.md" if args.quick else "results.md")).resolve()
    if args.studies < 1 or args.repeat < 1 or args.timeout <= 0 or args.rdflib_timeout <= 0:
        p.error("--studies, --repeat, --timeout and --rdflib-timeout must be positive")
    return args


def prepare_work(args) -> tuple[Path, bool]:
    """The work folder and whether to remove it at the end."""
    if args.work is None:
        return Path(tempfile.mkdtemp(prefix="clkg-bench-")), True
    work = args.work.resolve()
    if work.exists() and any(work.iterdir()):
        if not (work / MARKER).exists():
            raise SystemExit(f"--work {work} is not empty and was not made by this script: name another folder")
        for child in work.iterdir():
            if child.name != MARKER:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    work.mkdir(parents=True, exist_ok=True)
    return work, False


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = shlex.join(["python", "benchmarks/run.py", *sys.argv[1:]]) if argv is None else "python benchmarks/run.py"
    signal.signal(signal.SIGTERM, _interrupt)
    work, temporary = prepare_work(args)
    (work / MARKER).touch()
    bench = Bench(args, work)
    os.chdir(work)  # run from outside the repository: its clkg/ folder would shadow the installed package
    log(f"work folder {work}")
    try:
        machine = describe_machine()
        make_corpus(bench)
        measure_load(bench)  # everything after it needs the loaded store
        cases = prepare_query_store(bench)
        for name, step in [("embedded queries", lambda b: measure_embedded_queries(b, cases)),
                           ("rdflib queries", None if args.no_rdflib else lambda b: measure_rdflib_queries(b, cases)),
                           ("Virtuoso", None if args.no_virtuoso else lambda b: measure_virtuoso(b, cases)),
                           ("new study", measure_new_study), ("validation", measure_validation)]:
            if step is None:
                bench.notes.append(f"{name}: skipped (--no-{name.split()[0].lower()}).")
                continue
            if name == "Virtuoso" and not _virtuoso_installed():
                bench.notes.append("Virtuoso: skipped (virtuoso-t or isql-vt is not installed).")
                continue
            try:
                step(bench)
            except Exception as err:  # report what was measured; say what failed
                log(f"   {name} FAILED: {type(err).__name__}: {err}")
                bench.notes.append(f"{name}: failed: {type(err).__name__}: {' '.join(str(err).split())[:500]}")
        report = render_report(bench, machine, command)
        args.output.write_text(report, encoding="utf-8")
        print(report)
        log(f"wrote {args.output}")
        return 0
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt()


def _virtuoso_installed() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


def child_main(role: str, *args: str) -> int:
    return {"load": child_load, "bulk": child_bulk, "worker": child_worker, "new-study": child_new_study,
            "validate": child_validate}[role](*args)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.exit(child_main(*sys.argv[2:]))
    sys.exit(main())
