"""The ``clkg`` command line. Heavy libraries are imported inside the commands."""

import argparse
import os
import sys
from pathlib import Path

from clkg.errors import UsageError

EXIT_INVALID = 1  # the input was read but has violations
EXIT_INPUT = 2  # the input cannot be read or mapped


def _build(args) -> int:
    from clkg.build import build
    from clkg.store import open_store

    store = open_store(args.store)
    report = build(store, data_dir=Path(args.data), reason=not args.no_reason,
                   log=lambda line: print(line, flush=True))
    print(f"\nstore {args.store or os.environ.get('CLKG_STORE') or 'oxigraph:.clkg/store'}:")
    width = max(map(len, report.graphs))
    for graph, triples in report.graphs.items():
        print(f"  {graph:<{width}}  {triples:>7} triples")
    print(f"built in {report.seconds:.1f} s")
    return 0


def _export(args) -> int:
    from clkg.store import open_store

    store = open_store(args.store)
    if args.output == "-":
        store.dump(sys.stdout.buffer, format=args.format, graph=args.graph)
    else:
        with open(args.output, "wb") as out:
            store.dump(out, format=args.format, graph=args.graph)
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _read(path: str):
    from clkg.loaders import read_dataset
    from clkg.vocabulary import prefixes

    return read_dataset(path, prefixes=prefixes())


def _validate(args) -> int:
    import json

    from clkg.errors import InputError
    from clkg.validation import validate

    reports, unreadable = [], []
    for path in args.paths:  # every path is checked, even after one that cannot be read
        try:
            reports.append(validate(_read(path)))
        except InputError as err:
            unreadable.append((path, err.problems))
    if args.format == "json":
        print(json.dumps([r.as_json() for r in reports] + [
            {"source": path, "readable": False, "errors": [vars(p) for p in problems]}
            for path, problems in unreadable], ensure_ascii=False, indent=1))
    else:
        for report in reports:
            _print_report(report)
    for _, problems in unreadable:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
    if unreadable:
        return EXIT_INPUT
    return 0 if all(r.conforms for r in reports) else EXIT_INVALID


def _print_report(report, out=sys.stdout) -> None:
    verdict = "conforms" if report.conforms else "does not conform"
    counts = ", ".join(f"{report.count(s)} {s.lower()}s" for s in ("Violation", "Warning", "Info"))
    print(f"{report.source}: {verdict} ({counts})", file=out)
    for result in report.results:
        print(f"  {result}", file=out)


def _load(args) -> int:
    from clkg.progress import progress
    from clkg.store import open_store
    from clkg.validation import validate

    datasets, rejected = [], []
    for path in progress(args.paths, "validating", unit="dataset"):
        dataset = _read(path)
        report = validate(dataset)
        (datasets if report.conforms else rejected).append(dataset)
        if report.results:
            _print_report(report, out=sys.stdout if report.conforms else sys.stderr)
    if rejected:
        print("not loaded: the store is unchanged", file=sys.stderr)
        return EXIT_INVALID
    store = open_store(args.store)
    triples = sum(len(d.quads) for d in datasets)
    print(f"writing {triples} triples to {len(datasets)} graph(s) …", file=sys.stderr, flush=True)
    store.replace_graphs({d.graph: d.quads for d in datasets})
    for dataset in datasets:
        print(f"loaded {dataset.source} into <{dataset.graph}>: {len(dataset.quads)} triples")
    return 0


def _new(args) -> int:
    from clkg.template import write_template

    for path in write_template(Path(args.path)):
        print(f"wrote {path}")
    print(f"next: fill in the tables, then `clkg validate {args.path}`")
    return 0


def _query(args) -> int:
    from clkg.saved_queries import run_query, saved_queries
    from clkg.tables import render

    if args.list:
        for query in saved_queries().values():
            params = "".join(f" [--param {p.name}=…]" if not p.required else f" --param {p.name}=…"
                             for p in query.params.values())
            print(f"{query.name}{params}\n    {query.question}")
        return 0
    if not args.name:
        raise UsageError("name a saved query (see `clkg query --list`)")
    params = {}
    for item in args.param:
        key, sep, val = item.partition("=")
        if not sep:
            raise UsageError(f"--param takes key=value, not {item!r}")
        params[key.strip()] = val
    from clkg.store import open_store
    from clkg.vocabulary import prefixes

    table = run_query(open_store(args.store), args.name, params)
    sys.stdout.write(render(table, args.format, shorten=_shortener(prefixes())))
    return 0


def _compare(args) -> int:
    from clkg.saved_queries import run_query
    from clkg.store import open_store
    from clkg.tables import pivot, render

    table = pivot(run_query(open_store(args.store), f"compare-{args.what}"))
    text = render(table, args.format)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _shortener(prefixes: dict[str, str]):
    namespaces = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def shorten(text: str) -> str:
        for prefix, namespace in namespaces:
            if text.startswith(namespace) and namespace:
                return f"{prefix}:{text[len(namespace):]}"
        return text
    return shorten


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="clkg", description="Knowledge graph of research on learning in clusters and cluster initiatives.")
    p.add_argument("--store", metavar="SPEC",
                   help="where the graph lives: oxigraph:PATH or sparql:URL (default $CLKG_STORE or oxigraph:.clkg/store)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="load the ontology and every dataset under data/ into the store")
    b.add_argument("--data", default="data", metavar="DIR", help="folder of case datasets (default: data)")
    b.add_argument("--no-reason", action="store_true", help="skip the HermiT consistency check")
    b.set_defaults(run=_build)

    e = sub.add_parser("export", help="write the graph out as Turtle, N-Quads or JSON-LD")
    e.add_argument("--format", choices=["ttl", "nq", "jsonld"], default="nq")
    e.add_argument("--graph", metavar="IRI", help="only this named graph (default: all)")
    e.add_argument("-o", "--output", default="-", metavar="FILE", help="file to write (default: stdout)")
    e.set_defaults(run=_export)

    v = sub.add_parser("validate", help="check datasets against the ontology and shapes (the store is not touched)")
    v.add_argument("paths", nargs="+", metavar="PATH", help="a dataset folder, .xlsx workbook or RDF file")
    v.add_argument("--format", choices=["text", "json"], default="text")
    v.set_defaults(run=_validate)

    ld = sub.add_parser("load", help="validate datasets and, if all conform, replace their graphs in one transaction")
    ld.add_argument("paths", nargs="+", metavar="PATH", help="a dataset folder, .xlsx workbook or RDF file")
    ld.set_defaults(run=_load)

    n = sub.add_parser("new", help="write an empty dataset (CSV folder, or .xlsx workbook) to fill in")
    n.add_argument("path", metavar="PATH", help="a new folder, or a file name ending in .xlsx")
    n.set_defaults(run=_new)

    q = sub.add_parser("query", help="answer a saved cross-study question (queries/*.rq)")
    q.add_argument("name", nargs="?", help="the saved query (see --list)")
    q.add_argument("--list", action="store_true", help="list the saved queries and their questions")
    q.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter")
    q.add_argument("--format", choices=["table", "csv", "json", "md", "html", "latex"], default="table")
    q.set_defaults(run=_query)

    c = sub.add_parser("compare", help="a comparison table: studies or cases as columns, properties as rows")
    c.add_argument("what", choices=["studies", "cases"], help="what the columns are")
    c.add_argument("--format", choices=["csv", "md", "html", "latex", "table"], default="md")
    c.add_argument("-o", "--output", default="-", metavar="FILE", help="file to write (default: stdout)")
    c.set_defaults(run=_compare)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from clkg.errors import EXIT_CODES, InputError, Invalid, StoreError

    try:
        return args.run(args)
    except Invalid as err:
        for report in err.reports:
            _print_report(report, out=sys.stderr)
        print("nothing was written: the store is unchanged", file=sys.stderr)
        return EXIT_INVALID
    except InputError as err:
        for problem in err.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except (UsageError, ValueError) as err:  # a malformed option value, e.g. an unknown store scheme
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except StoreError as err:  # what clkg.store raises (StoreMissing, StoreLocked too)
        print(f"error: {err}", file=sys.stderr)
        return dict(EXIT_CODES)[StoreError]
    except FileExistsError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the store is unchanged unless a write had finished", file=sys.stderr)
        return 130
    except Exception as err:  # a bug or a broken installation: say so plainly
        if os.environ.get("CLKG_DEBUG"):
            raise
        print(f"internal error: {type(err).__name__}: {err}\n(set CLKG_DEBUG=1 to see the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
