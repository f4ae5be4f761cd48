"""The ``clkg`` command line. Heavy libraries are imported inside the commands."""

import argparse
import os
import sys
from pathlib import Path

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


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="clkg", description="Knowledge graph of research on learning in clusters and cluster initiatives.")
    p.add_argument("--store", metavar="SPEC",
                   help="where the graph lives: oxigraph:PATH (default $CLKG_STORE or oxigraph:.clkg/store)")
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
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from clkg.errors import InputError

    try:
        return args.run(args)
    except InputError as err:
        for problem in err.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except ValueError as err:  # a malformed option value, e.g. an unknown store scheme
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the store is unchanged unless a write had finished", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
