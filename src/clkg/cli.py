"""The ``clkg`` command line. Heavy libraries are imported inside the commands.

Exit codes: 0 done (warnings allowed), 1 a dataset does not conform, 2 bad input or a bad call,
3 the store cannot be used, 130 interrupted.
"""

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from clkg.errors import ClkgError, UsageError

SEVERITIES = ("violation", "warning", "info")


def _build(args) -> int:
    from clkg.pipeline import build

    with _writer(args) as store:
        report = build(store, data_dir=Path(args.data), reason=not args.no_reason, replace=args.replace,
                       force=args.force, log=_log(args))
    _print_loaded(report, args)
    print(f"consistency: {report.consistency}")
    print(f"built in {report.seconds:.1f} s")
    return 0


def _load(args) -> int:
    from clkg.pipeline import load

    with _writer(args) as store:
        report = load(store, args.paths, replace=args.replace, force=args.force, log=_log(args))
    _print_loaded(report, args)
    return 0


def _print_loaded(report, args) -> None:
    from clkg.text import plural, shown

    for ds, validation in zip(report.datasets, report.validations):
        _print_report(validation, args, out=sys.stdout)
        kinds = ", ".join(f"{table}: {n}" for table, n in ds.records.items())  # rows per table
        print(f"loaded {shown(ds.source)} into <{ds.graph}>: {plural(report.graphs[ds.graph], 'triple')}"
              + (f" ({kinds})" if kinds else ""))
    for source in report.unchanged:
        print(f"{shown(source)}: unchanged since it was loaded (the same files, clkg, shapes, ontology and "
              "other studies): not validated or written again (--force does)")
    if not report.graphs:
        print(f"store {_spec(args)}: nothing written")
        return
    width = max(map(len, report.graphs))
    print(f"store {_spec(args)}:")
    for graph, triples in report.graphs.items():
        print(f"  {graph:<{width}}  {triples:>9,} triples")


def _validate(args) -> int:
    import json

    from clkg.errors import InputError
    from clkg.loaders import read_dataset
    from clkg.validation import validate

    from clkg.prefixes import converter, store_prefixes
    from clkg.validation import concept_index

    reports, unreadable = [], []
    with _store_if_any(args) as store:
        prefixes = converter(store_prefixes(store)) if store is not None else converter()
        for path in args.paths:  # every path is checked, even after one that cannot be read
            try:
                dataset = read_dataset(path, prefixes=prefixes)
            except InputError as err:
                unreadable.append((path, err.problems))
                continue
            index = concept_index(store, [dataset]) if store is not None else []
            reports.append(validate(dataset, context=index))
    if args.format == "json":
        print(json.dumps([r.as_json() for r in reports] + [
            {"source": path, "readable": False, "errors": [vars(p) for p in problems]}
            for path, problems in unreadable], ensure_ascii=False, indent=1))
    else:
        for report in reports:
            _print_report(report, args, out=sys.stdout)
    for _, problems in unreadable:
        _print_problems(problems)
    if unreadable:
        return 2
    return 0 if all(r.conforms for r in reports) else 1


@contextmanager
def _store_if_any(args):
    """The store opened read-only for the duration, or None when there is none to validate against."""
    from clkg.errors import StoreMissing
    from clkg.store import open_store

    try:
        store = open_store(args.store, read_only=True)
    except StoreMissing:
        yield None
        return
    with store:
        yield store


def _print_report(report, args, *, out) -> None:
    """A dataset's verdict with its counts, the entries of its folder or workbook that were
    ignored and why, and each result at or above the chosen severity."""
    import shlex

    from clkg.text import plural, shown

    verdict = "conforms" if report.conforms else "does not conform"
    counts = ", ".join(plural(report.count(s), s.lower()) for s in ("Violation", "Warning", "Info"))
    listed = [r for r in report.results if SEVERITIES.index(r.severity.lower()) <= SEVERITIES.index(args.severity)]
    if args.quiet and report.conforms:
        return
    print(f"{shown(report.source)}: {verdict} ({counts})", file=out)
    for name, why in report.ignored.items():
        print(f"  ignored {shown(name)}: {why}", file=out)
    for result in listed:
        print(f"  {result}", file=out)
    hidden = len(report.results) - len(listed)
    if hidden:
        print(f"  ({plural(hidden, 'result')} below {args.severity} not shown: "
              f"`clkg validate {shown(shlex.quote(report.source))} --severity info` lists them)", file=out)


def _print_problems(problems) -> None:
    from clkg.text import plural

    limit = 200
    for problem in problems[:limit]:
        print(f"error: {problem}", file=sys.stderr)
    if len(problems) > limit:
        print(f"error: … and {plural(len(problems) - limit, 'more problem')}", file=sys.stderr)


def _export(args) -> int:
    if args.format in ("qdc", "qdpx"):
        from clkg.refi.writer import export

        with _reader(args) as store:
            data, summary = export(store, format=args.format, study_id=args.study)
        if args.output == "-":
            sys.stdout.buffer.write(data)
        else:
            Path(args.output).write_bytes(data)
            print(f"wrote {args.output}: {summary}", file=sys.stderr)
        return 0
    with _reader(args) as store:
        graph = _graph(store, args.graph) if args.graph else None
        if args.output == "-":
            store.dump(sys.stdout.buffer, format=args.format, graph=graph)
        else:
            with open(args.output, "wb") as out:
                store.dump(out, format=args.format, graph=graph)
            _wrote(args.output)
    return 0


def _graph(store, name: str) -> str:
    """The graph a study id, a graph name or a full graph IRI names; refuses one the store lacks."""
    from clkg.namespaces import GRAPH
    from clkg.text import shown

    sizes = store.graph_sizes()
    graph = name if name.startswith(("http://", "https://", "urn:")) else GRAPH + name
    if graph not in sizes:
        names = ", ".join(g.removeprefix(GRAPH) for g in sorted(sizes))
        raise UsageError(f"the store has no graph '{shown(name)}'; its graphs: {names}")
    return graph


def _new(args) -> int:
    import shlex

    from clkg.template import write_template
    from clkg.text import shown

    for path in write_template(Path(args.path)):
        print(f"wrote {shown(path)}")
    print(f"next: fill in the tables, then `clkg validate {shown(shlex.quote(args.path))}`")
    return 0


def _suggest_alignments(args) -> int:
    from clkg.loaders import read_dataset
    from clkg.namespaces import concept_namespace, dataset_base
    from clkg.prefixes import converter, store_prefixes
    from clkg.sssom_writer import write_sssom
    from clkg.suggest import concept_texts, dataset_concept_texts, suggest
    from clkg.text import plural, shown

    output = Path(args.output)
    if output.exists() and not args.force:
        raise UsageError(f"{shown(str(output))} exists: name another file, or give --force to overwrite it")
    with _reader(args) as store:
        prefixes = store_prefixes(store)
        dataset = read_dataset(args.path, prefixes=converter(prefixes))
        targets = concept_texts(store)
    sources = dataset_concept_texts(dataset)
    if not sources:
        raise UsageError(f"{shown(dataset.source)} defines no concepts of its own (concepts.csv) to align")
    suggestions = suggest(sources, targets, top=args.top, method=args.method, min_score=args.min_score)
    if dataset.prefix:
        prefixes[dataset.prefix] = concept_namespace(dataset.study_id)
    write_sssom(suggestions, output, subject_source=concept_namespace(dataset.study_id) + "scheme",
                mapping_set_id=dataset_base(dataset.study_id) + "alignments/suggested",
                curie_map={**converter(prefixes).prefix_map})
    matched = len({s.subject.iri for s in suggestions})
    print(f"wrote {plural(len(suggestions), 'suggestion')} for {matched} of {plural(len(sources), 'concept')} "
          f"({args.method} matching) to {shown(str(output))}: keep the rows that hold, with your evidence in "
          "comment and your identifier in author_id, as alignments.sssom.tsv in the dataset", file=sys.stderr)
    return 0


def _import(args) -> int:
    from clkg.refi.folder import write_folder
    from clkg.refi.importer import account, import_file

    folder = Path(args.output)
    study_id = args.study_id or folder.name
    if study_id != folder.name:
        raise UsageError(f"the study id {study_id!r} must be the name of its folder: name the folder "
                         f"{study_id!r} (-o …/{study_id})")
    imported = import_file(Path(args.path), study_id=study_id)
    write_folder(imported, folder)
    for line in account(imported):
        print(line)
    print(f"wrote {folder}: next `clkg validate {folder}`, then `clkg load {folder}`")
    return 0


def _query(args) -> int:
    from clkg.saved_queries import run_query, saved_queries
    from clkg.text import shown

    if args.list:
        for query in saved_queries().values():
            print(f"{query.name}: {query.title}\n    {query.question}")
            for p in query.params.values():
                need = "required" if p.required else "optional"
                print(f"    --param {p.name}=…  ({p.kind}, {need}) {p.description}")
        return 0
    if not args.name:
        raise UsageError("name a saved query (`clkg query --list` shows them)")
    params = {}
    for item in args.param:
        key, sep, val = item.partition("=")
        if not sep:
            raise UsageError(f"--param takes key=value, not '{shown(item)}'")
        params[key.strip()] = val
    query = saved_queries().get(args.name)
    for p in query.params.values() if query else ():
        if p.required and p.name not in params:
            raise UsageError(f"query '{shown(args.name)}' needs --param {p.name}=… ({p.description})")
    with _reader(args) as store:
        table = run_query(store, args.name, params)
        _write(_shown(table, store, args), args)
    return 0


def _compare(args) -> int:
    from clkg.saved_queries import run_query
    from clkg.tables import pivot

    with _reader(args) as store:
        table = pivot(run_query(store, f"compare-{args.what}"))
        _write(_shown(table, store, args), args)
    return 0


def _shown(table, store, args):
    """The table with IRIs as CURIEs, unless --iris."""
    if args.iris:
        return table
    from clkg.prefixes import converter, store_prefixes
    from clkg.tables import shortened

    return shortened(table, converter(store_prefixes(store)))


def _write(table, args) -> None:
    from clkg.tables import render

    text = render(table, args.format, raw=args.raw)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8", newline="")  # CSV keeps its \r\n
        _wrote(args.output)


def _wrote(path) -> None:
    from clkg.text import shown

    print(f"wrote {shown(path)}", file=sys.stderr)


def _spec(args) -> str:
    from clkg.store import DEFAULT_STORE

    return args.store or os.environ.get("CLKG_STORE") or DEFAULT_STORE


def _reader(args):
    """The store, opened to read: it must exist and hold the ontology."""
    from clkg.api import require_ontology
    from clkg.store import open_store

    store = open_store(args.store, read_only=True)
    require_ontology(store, spec=_spec(args))
    return store


def _writer(args):
    from clkg.store import open_store

    return open_store(args.store)


def _log(args):
    return (lambda line: None) if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))


def parser() -> argparse.ArgumentParser:
    from clkg import __version__
    from clkg.suggest import METHODS, MIN_SCORE
    from clkg.tables import FORMATS

    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--store", metavar="SPEC", default=argparse.SUPPRESS,
                       help="where the graph lives: oxigraph:PATH or sparql:URL "
                            "(default: $CLKG_STORE or oxigraph:.clkg/store)")
    def checks(severity: str):
        parent = argparse.ArgumentParser(add_help=False)
        parent.add_argument("--severity", choices=SEVERITIES, default=severity,
                            help="show validation results of this severity and above")
        parent.add_argument("-q", "--quiet", action="store_true", help="print only what went wrong")
        return parent
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--format", choices=FORMATS, default="table", help="how to write the answer")
    output.add_argument("--iris", action="store_true", help="write full IRIs instead of CURIEs")
    output.add_argument("-o", "--output", default="-", metavar="FILE", help="file to write (- for stdout)")
    output.add_argument("--raw", action="store_true",
                        help="CSV: write every cell as it is; by default a text cell that starts with =, +, -, "
                             "@, a tab or a carriage return gets a leading ' so that a spreadsheet does not "
                             "run it as a formula")

    p = argparse.ArgumentParser(
        prog="clkg", parents=[store],
        description="Knowledge graph of research on learning in clusters and cluster initiatives.")
    p.add_argument("--version", action="version", version=f"clkg {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, run, help, parents=()):
        c = sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".",
                           parents=[store, *parents], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        c.set_defaults(run=run)
        return c

    b = command("build", _build, "load the ontology and every dataset under a data folder into the store, "
                "checked first", [checks("violation")])
    b.add_argument("--data", default="data", metavar="DIR", help="folder of case datasets")
    b.add_argument("--no-reason", action="store_true", help="skip the HermiT consistency check")
    b.add_argument("--replace", action="store_true",
                   help="replace studies the store holds from another source")
    b.add_argument("--force", action="store_true",
                   help="validate and write even when nothing changed since the last build")

    ld = command("load", _load, "validate datasets and, if all conform, write them in one transaction",
                 [checks("violation")])
    ld.add_argument("paths", nargs="+", metavar="PATH", help="a dataset folder, .xlsx workbook or RDF file")
    ld.add_argument("--replace", action="store_true",
                    help="replace a study the store holds from another source (on purpose)")
    ld.add_argument("--force", action="store_true",
                    help="validate and write even when nothing changed since the last load")

    v = command("validate", _validate, "check datasets against the ontology, the shapes and the concepts "
                "of the store (which is only read)", [checks("info")])
    v.add_argument("paths", nargs="+", metavar="PATH", help="a dataset folder, .xlsx workbook or RDF file")
    v.add_argument("--format", choices=["text", "json"], default="text", help="how to write the reports")

    n = command("new", _new, "write an empty dataset (CSV folder, or .xlsx workbook) to fill in")
    n.add_argument("path", metavar="PATH", help="a new folder, or a file name ending in .xlsx")

    q = command("query", _query, "answer a saved cross-study question (queries/*.rq)", [output])
    q.add_argument("name", nargs="?", help="the saved query (see --list)")
    q.add_argument("--list", action="store_true", help="list the saved queries, their questions and parameters")
    q.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a query parameter")

    c = command("compare", _compare, "a comparison table: studies or cases as columns, properties as rows",
                [output])
    c.add_argument("what", choices=["studies", "cases"], help="what the columns are")
    c.set_defaults(format="md")

    sa = command("suggest-alignments", _suggest_alignments,
                 "propose SKOS mappings from a dataset's own concepts to the concepts of the store, "
                 "as unreviewed SSSOM rows for a curator")
    sa.add_argument("path", metavar="PATH", help="a dataset folder, .xlsx workbook or RDF file")
    sa.add_argument("-o", "--output", required=True, metavar="FILE", help="the SSSOM TSV file to write")
    sa.add_argument("--top", type=int, default=5, metavar="K", help="suggestions per concept, at most")
    sa.add_argument("--method", choices=METHODS, default="lexical",
                    help="lexical: labels and definitions (TF-IDF); embedding: meaning, with the "
                         "offline model of the extra clkg[embeddings]")
    sa.add_argument("--min-score", type=float, metavar="X",
                    help="the lowest similarity suggested (default: the method's, "
                         + ", ".join(f"{m} {x}" for m, x in MIN_SCORE.items()) + ")")
    sa.add_argument("--force", action="store_true", help="overwrite FILE if it exists")

    im = command("import", _import, "write a REFI-QDA project (.qdpx) or codebook (.qdc) from NVivo, ATLAS.ti, "
                 "MAXQDA or QualCoder as a case-data folder")
    im.add_argument("path", metavar="FILE", help="a .qdpx project, or a .qde or .qdc file")
    im.add_argument("-o", "--output", required=True, metavar="FOLDER", help="the dataset folder to write (new or empty)")
    im.add_argument("--study-id", metavar="ID", help="the study's id (default and requirement: the folder's name)")

    e = command("export", _export, "write the graph out as Turtle, N-Quads or JSON-LD, or codebooks and "
                "studies for QDA software (REFI-QDA .qdc, .qdpx)")
    e.add_argument("--format", choices=["ttl", "nq", "jsonld", "qdc", "qdpx"], default="nq",
                   help="RDF format, or qdc (codebook) / qdpx (project) for NVivo, ATLAS.ti, MAXQDA")
    e.add_argument("--study", metavar="ID", help="qdc: this study's codebook (default: every scheme); qdpx: the study")
    e.add_argument("--graph", metavar="NAME", help="only this graph: a study id, a graph name or its IRI")
    e.add_argument("-o", "--output", default="-", metavar="FILE", help="file to write (- for stdout)")

    from clkg.web.command import docs, serve  # light: the web libraries are imported when it runs

    w = command("serve", serve, "browse the graph, ask the saved questions and query SPARQL in a web browser")
    w.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1: this machine only)")
    w.add_argument("--port", type=int, default=8000, help="port to listen on (0: a free one)")
    w.add_argument("--workers", type=int, default=2, metavar="N", help="processes that answer queries")
    w.add_argument("--timeout", type=float, default=30, metavar="SECONDS", help="time limit of a query")
    w.add_argument("--max-result", type=float, default=50, metavar="MB", help="size limit of an answer")
    dc = command("docs", docs, "write the ontology's documentation (HTML, Turtle, JSON-LD) to a folder")
    dc.add_argument("-o", "--output", required=True, metavar="DIR", help="the folder to write")
    return p


def main(argv: list[str] | None = None) -> int:
    from clkg.errors import EXIT_CODES, InputError, Invalid

    args = parser().parse_args(argv)
    args.store = getattr(args, "store", None)
    try:
        return args.run(args)
    except Invalid as err:
        for report in err.reports:
            _print_report(report, args, out=sys.stderr)
        print("not loaded: the store is unchanged", file=sys.stderr)
        return 1
    except InputError as err:
        _print_problems(err.problems)
        print("not loaded: the store is unchanged", file=sys.stderr)
        return 2
    except ClkgError as err:
        print(f"error: {err}", file=sys.stderr)
        return next(code for kind, code in EXIT_CODES if isinstance(err, kind))
    except BrokenPipeError:  # e.g. `clkg query --list | head`: the reader has gone, say nothing
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted; the store is unchanged unless a write had finished", file=sys.stderr)
        return 130
    except OSError as err:  # a file clkg was asked to write or read: exists, denied, disk full
        from clkg.text import shown

        print(f"error: {shown(err.filename or '')}{': ' if err.filename else ''}{err.strerror or err}",
              file=sys.stderr)
        return 2
    except Exception as err:  # a bug or a broken installation: say so plainly
        if os.environ.get("CLKG_DEBUG"):
            raise
        print(f"internal error: {type(err).__name__}: {err}\n(this is a bug in clkg; set CLKG_DEBUG=1 "
              "to see the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
