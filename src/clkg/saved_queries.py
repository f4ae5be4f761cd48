"""Saved SPARQL queries: one ``.rq`` file per question, described by its header comments.

A header is a block of ``# key: value`` lines at the top of the file::

    # title: The barrier matrix
    # question: Which barriers appear at each barrier level and type, with how much evidence?
    # param: finding iri required -- the finding whose evidence to list
    # columns: level, type, barrier, quotations

A parameter ``NAME KIND [required]`` is bound to the variable ``?NAME`` by substitution
(SPARQL SEP-0007), never by editing the query text. KIND is ``iri`` (an IRI or a CURIE of
the ontology's prefixes), ``string`` or ``integer``.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from clkg.errors import InputError, Problem, UsageError
from clkg.resources import query_files

KINDS = ("iri", "string", "integer")
_HEADER = re.compile(r"#\s*(\w+):\s*(.*)")
_PARAM = re.compile(r"(\w+)\s+(\w+)(\s+required)?\s*(?:--\s*(.*))?")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    required: bool
    description: str


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    title: str
    question: str
    columns: tuple[str, ...]
    params: dict[str, Param] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _parse(path: Path) -> SavedQuery:
    fields, params = {}, {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADER.fullmatch(line.strip())
        if not line.startswith("#"):
            break
        if not match:
            continue
        key, value = match[1], match[2].strip()
        if key == "param":
            p = _PARAM.fullmatch(value)
            if not p or p[2] not in KINDS:
                raise InputError([Problem(str(path), f"bad param line {value!r}: write "
                                          "'# param: NAME iri|string|integer [required] -- what it is'")])
            params[p[1]] = Param(p[1], p[2], bool(p[3]), p[4] or "")
        else:
            fields[key] = value
    missing = {"title", "question", "columns"} - set(fields)
    if missing:
        raise InputError([Problem(str(path), "header lacks " + ", ".join(sorted(missing)))])
    columns = tuple(c.strip() for c in fields["columns"].split(","))
    return SavedQuery(path.stem, path, fields["title"], fields["question"], columns, params)


@cache
def saved_queries() -> dict[str, SavedQuery]:
    """Every shipped query by name (its file name without ``.rq``)."""
    return {q.name: q for q in map(_parse, query_files())}


def bindings(query: SavedQuery, values: dict[str, str], *, prefixes) -> dict:
    """Check the given parameter values and turn them into RDF terms for substitution;
    ``prefixes`` (a ``curies.Converter``) expands CURIEs.

    :raises UsageError: an unknown or missing parameter, or a value of the wrong kind.
    """
    from clkg.prefixes import expand

    from pyoxigraph import Literal, NamedNode, Variable

    unknown = set(values) - set(query.params)
    if unknown:
        known = ", ".join(query.params) or "none"
        raise UsageError(f"query {query.name!r} has no parameter {', '.join(sorted(unknown))} (its parameters: {known})")
    missing = [p.name for p in query.params.values() if p.required and p.name not in values]
    if missing:
        raise UsageError(f"query {query.name!r} needs a value for its parameter {missing[0]!r} ({query.params[missing[0]].description})")
    terms = {}
    for name, text in values.items():
        kind = query.params[name].kind
        if kind == "iri":
            text = expand(text, prefixes) or text
            if not re.fullmatch(r"[a-z][a-z0-9+.-]*:[^\s<>\"{}|^`\\\\]+", text):
                raise UsageError(f"parameter {name} must be an IRI or a CURIE, not {text!r}")
            terms[Variable(name)] = NamedNode(text)
        elif kind == "integer":
            if not re.fullmatch(r"[+-]?\d+", text):
                raise UsageError(f"parameter {name} must be a whole number, not {text!r}")
            terms[Variable(name)] = Literal(text, datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
        else:
            terms[Variable(name)] = Literal(text)
    return terms


def run_query(store, name: str, params: dict[str, str] | None = None):
    """Answer a saved query on a store, as a :class:`clkg.tables.Table`."""
    from clkg.prefixes import converter, store_prefixes
    from clkg.tables import Table

    queries = saved_queries()
    if name not in queries:
        raise UsageError(f"unknown query {name!r} (the saved queries: {', '.join(queries)})")
    query = queries[name]
    values = params or {}
    # the studies' prefixes (a query of their own) only for an IRI value, which may be a CURIE
    curies = any(key in query.params and query.params[key].kind == "iri" for key in values)
    prefixes = converter(store_prefixes(store)) if curies else None
    columns, rows = store.select(query.text, substitutions=bindings(query, values, prefixes=prefixes))
    return Table.from_solutions(columns, rows)
