"""Time every saved query and comparison on an embedded store, and keep their answers to compare.

    python benchmarks/queries.py --store /work/q1m --save answers/before      # time, keep the answers
    python benchmarks/queries.py --store /work/q1m --save answers/after --against answers/before
    python benchmarks/queries.py --store /work/q1m --only research-gaps,propositions --repeat 3

The store (e.g. one made by benchmarks/fill.py, which holds the ontology and alignments graphs
too) is opened read-only. The cases are benchmarks/run.py's: every saved query, a parameterised
one with a value taken from the store's first study (its first finding with evidence, first case
with findings, the concept most of its quotations illustrate, its id; slf:scheme, level 2), one
whose parameters are all optional also without a value; and the two comparisons
(``clkg compare studies|cases``: the query and the pivot). Each case runs once to warm up, then
up to ``--repeat`` times or ``--budget`` seconds, and the median is kept: ``run_query`` on the
store, including the conversion to a Table (the comparisons: and the pivot).

--save DIR writes each case's answer (columns and rows in the query's order, every term in
N-Triples syntax) to DIR/CASE.json and the timings to DIR/timings.json. --against DIR compares
the answers with those saved there: the same rows in the same order ("same"), the same rows in
another order ("same rows, other order": only right where the query's ORDER BY leaves ties), the
same rows in the same order once the items of every "a; b; c" cell are sorted ("same, but another
order within list cells": lists that GROUP_CONCAT built in an unspecified order), or "DIFFERENT".
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

CLKG = "https://w3id.org/clkg/ontology#"
DCTERMS = "http://purl.org/dc/terms/"


def parameter_values(store) -> dict[str, str]:
    """Values for the query parameters, from the store's first study (by its identifier)."""
    def one(query: str) -> str:
        _, rows = store.select(query)
        if not rows:
            raise RuntimeError(f"the store has no value for a query parameter: {query}")
        return rows[0][0].value

    study_id = one(f"SELECT ?id WHERE {{ ?s a <{CLKG}Study> ; <{DCTERMS}identifier> ?id }} ORDER BY ?id LIMIT 1")
    graph = one(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s a <{CLKG}Study> ; <{DCTERMS}identifier> \"{study_id}\" }} "
                "FILTER(!STRENDS(STR(?g), \"/inferred\")) } LIMIT 1")
    return {
        "finding": one(f"SELECT ?f WHERE {{ GRAPH <{graph}> {{ ?q <{CLKG}supports> ?f }} }} ORDER BY ?f LIMIT 1"),
        "case": one(f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ ?f <{CLKG}concernsCase> ?c }} }} ORDER BY ?c LIMIT 1"),
        "concept": one(f"SELECT ?x WHERE {{ GRAPH <{graph}> {{ ?q a <{CLKG}Quotation> ; <{DCTERMS}subject> ?x }} }} "
                       "GROUP BY ?x ORDER BY DESC(COUNT(?q)) ?x LIMIT 1"),
        "study": study_id,
        "scheme": "slf:scheme",
        "level": "2",
    }


def cases(store) -> list[tuple[str, str, dict]]:
    """(label, query name, parameters) of every case; comparisons have the label compare-WHAT (pivot)."""
    from clkg.saved_queries import saved_queries

    values = parameter_values(store)
    out = []
    for query in saved_queries().values():
        if not query.params:
            out.append((query.name, query.name, {}))
        else:
            params = {p: values[p] for p in query.params}
            shown = ",".join(f"{p}={v.rsplit('/', 1)[-1]}" for p, v in params.items())
            out.append((f"{query.name} ({shown})", query.name, params))
            if not any(p.required for p in query.params.values()):
                out.append((f"{query.name} (no parameter)", query.name, {}))
        if query.name.startswith("compare-"):
            out.append((f"clkg compare {query.name[len('compare-'):]} (pivot)", query.name, {}))
    return out


def answer(store, name: str, params: dict) -> dict:
    """The answer as N-Triples strings, in the query's order."""
    from clkg.prefixes import converter, store_prefixes
    from clkg.saved_queries import bindings, saved_queries

    query = saved_queries()[name]
    columns, rows = store.select(query.text, substitutions=bindings(query, params, prefixes=converter(store_prefixes(store))))
    return {"columns": list(columns), "rows": [[None if t is None else str(t) for t in row] for row in rows]}


def timed(store, label: str, name: str, params: dict, *, repeat: int, budget: float) -> dict:
    from clkg.saved_queries import run_query
    from clkg.tables import pivot

    def once() -> tuple[float, int]:
        started = time.perf_counter()
        table = run_query(store, name, params)
        if label.endswith("(pivot)"):
            table = pivot(table)
        return time.perf_counter() - started, len(table.rows)

    first, rows = once()  # the warm-up run
    times = []
    spent = first
    while len(times) < repeat and (not times or spent < budget):
        seconds, rows = once()
        times.append(seconds)
        spent += seconds
    return {"label": label, "rows": rows, "median": statistics.median(times), "runs": len(times), "warmup": first}


def verdict(before: dict, after: dict) -> str:
    if before["columns"] != after["columns"]:
        return "DIFFERENT (columns)"
    if before["rows"] == after["rows"]:
        return "same"
    key = lambda r: [("" if v is None else v) for v in r]
    if sorted(before["rows"], key=key) == sorted(after["rows"], key=key):
        return "same rows, other order"
    if list(map(_lists_sorted, before["rows"])) == list(map(_lists_sorted, after["rows"])):
        return "same, but another order within list cells"
    return f"DIFFERENT ({len(before['rows'])} rows before, {len(after['rows'])} after)"


def _lists_sorted(row: list) -> list:
    """The row with every "a; b; c" cell's items sorted (the lexical form only: a GROUP_CONCAT)."""
    out = []
    for v in row:
        if v and v.startswith('"') and "; " in v:
            lexical, _, rest = v[1:].rpartition('"')
            v = '"' + "; ".join(sorted(lexical.split("; "))) + '"' + rest
        out.append(v)
    return out


def filename(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_=," else "_" for c in label).strip("_") + ".json"


def shown_seconds(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--save", type=Path, help="a folder for the answers and timings")
    parser.add_argument("--against", type=Path, help="a folder of saved answers to compare with")
    parser.add_argument("--only", help="comma-separated query names (all by default)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=10.0, help="seconds of runs of one case after which it is not repeated")
    parser.add_argument("--no-time", action="store_true", help="only the answers")
    parser.add_argument("--once", action="store_true", help="one run of each query, no warm-up, no pivots: the "
                        "time of the run that gets the answer (store.select and the terms as text)")
    parser.add_argument("--queries", type=Path, help="a folder of .rq files to run instead of the shipped ones "
                        "(e.g. an older version: git archive COMMIT queries | tar -x -C DIR)")
    args = parser.parse_args()
    if args.queries:
        import clkg.saved_queries

        clkg.saved_queries.query_files = lambda: sorted(args.queries.glob("*.rq"))

    from clkg.store import open_store

    store = open_store(f"oxigraph:{args.store}", read_only=True)
    only = set(args.only.split(",")) if args.only else None
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    results = []
    for label, name, params in cases(store):
        if only and name not in only:
            continue
        result = {"label": label, "rows": None, "median": None}
        if (args.once or args.no_time) and label.endswith("(pivot)"):  # a pivot has no answer of its own
            continue
        if not args.no_time and not args.once:
            result = timed(store, label, name, params, repeat=args.repeat, budget=args.budget)
        if not label.endswith("(pivot)"):
            started = time.perf_counter()
            ans = answer(store, name, params)
            if args.once:
                result.update(median=time.perf_counter() - started, runs=1)
            result["rows"] = len(ans["rows"])
            if args.save:
                (args.save / filename(label)).write_text(json.dumps(ans, ensure_ascii=False, indent=0), encoding="utf-8")
            if args.against:
                path = args.against / filename(label)
                result["same"] = verdict(json.loads(path.read_text(encoding="utf-8")), ans) if path.exists() else "no saved answer"
        results.append(result)
        med = "" if result["median"] is None else shown_seconds(result["median"])
        print(f"{label:70s} {result['rows']:>7} {med:>10}  {result.get('same', '')}", flush=True)
    if args.save:
        (args.save / "timings.json").write_text(json.dumps({"load": os.getloadavg(), "results": results}, indent=1))
    if args.against and (args.against / "timings.json").exists():
        before = {r["label"]: r for r in json.loads((args.against / "timings.json").read_text())["results"]}
        print("\n| query | rows | before | after | same answers |\n| --- | ---: | ---: | ---: | --- |")
        for r in results:
            b = before.get(r["label"], {})
            shown = [shown_seconds(x["median"]) if x.get("median") is not None else "—" for x in (b, r)]
            print(f"| {r['label']} | {r['rows'] if r['rows'] is not None else '—':,} | {shown[0]} | {shown[1]} | {r.get('same', '')} |"
                  if isinstance(r["rows"], int) else f"| {r['label']} | — | {shown[0]} | {shown[1]} | |")
    times = [r["median"] for r in results if r["median"] is not None]
    if times:
        print(f"median {shown_seconds(statistics.median(times))}, max {shown_seconds(max(times))}; "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
