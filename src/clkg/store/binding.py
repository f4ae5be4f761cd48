"""Parameters bound into SPARQL text, by a VALUES block, never by pasting values: on every store.

pyoxigraph's own ``substitutions`` answered the web pages' queries of one concept or case 5-100x
slower at 1M triples than VALUES blocks repeated in the sub-SELECTs that project the variable
(0.1-0.7 s against 0.00-0.07 s), and servers have nothing like them. pyoxigraph has no SPARQL
parser or writer for Python to rewrite a query with, so the text is scanned here by a small tokenizer, only
far enough to find the query form and the braces of the WHERE group (strings, IRIs and comments are
skipped whole, so a brace inside them is never taken for one). The values are written by pyoxigraph
(``str(term)``: N-Triples syntax, every quote, backslash and control character escaped), and
pyoxigraph's constructors refuse an IRI holding ``<>"{}|^`\\`` or white space and a malformed
language tag, so a value is always exactly one term.

The same tokenizer finds a SELECT's final ORDER BY for a server that cannot sort the answer
(:func:`final_order_by`).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from clkg.errors import UsageError

FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")

_TOKEN = re.compile(r'''
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<word>[A-Za-z_][\w.-]*(?::[\w.:%-]*)?|:[\w.:%-]*)
  | (?P<open>[({])
  | (?P<close>[)}])
  | (?P<other>.)
''', re.X | re.S)
_LESS_THAN = re.compile("<")  # the operator, where _TOKEN would read an IRI (see _tokens)


def _tokens(query: str):
    """(kind, text, match) of each token that is not white space or a comment. Inside brackets (an
    expression) a ``<`` right after a variable, a literal, a number or a ``)`` is the operator, not
    the start of an IRI: in ``FILTER(?n<3&&?n>1)`` the text ``<3&&?n>`` would pass for one (outside
    brackets an IRI after a variable is a predicate: ``?s <p> ?o``)."""
    at, last, brackets = 0, None, 0
    while at < len(query):
        match = _TOKEN.match(query, at)
        kind = match.lastgroup
        if kind == "iri" and brackets and last is not None and (
                last[0] in ("var", "string") or last[1] == ")" or last[1].isdigit()):
            match, kind = _LESS_THAN.match(query, at), "other"
        at = match.end()
        if kind in ("space", "comment"):
            continue
        brackets += (match.group() == "(") - (match.group() == ")")
        last = (kind, match.group())
        yield kind, match.group(), match


def query_form(query: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the form of a SPARQL query.

    :raises UsageError: the text is no SPARQL query (e.g. an update).
    """
    for kind, text, _ in _tokens(query):
        keyword = text.upper() if kind == "word" and ":" not in text else None  # not a prefixed name
        if keyword in FORMS:
            return keyword
        if keyword not in (None, "PREFIX", "BASE") or kind in ("open", "close"):
            break
    raise UsageError("not a SPARQL query: it does not start (after PREFIX and BASE) with "
                     "SELECT, CONSTRUCT, ASK or DESCRIBE")


def substitutions_checked(substitutions: Mapping | None) -> dict:
    """``substitutions`` if each maps a ``pyoxigraph.Variable`` to a ``NamedNode`` or ``Literal``.

    :raises UsageError: one does not.
    """
    from pyoxigraph import Literal, NamedNode, Variable

    for variable, term in (substitutions or {}).items():
        if not isinstance(variable, Variable):
            raise UsageError(f"substitutions are keyed by pyoxigraph.Variable, not {variable!r}")
        if not isinstance(term, (NamedNode, Literal)):
            raise UsageError(f"only an IRI (NamedNode) or a Literal can be bound to {variable}, not {term!r}")
    return dict(substitutions or {})


def _where_group(query: str) -> tuple[str, int, int, bool]:
    """(form, offset just inside the ``{`` of the WHERE group, offset of its ``}``, whether the group
    is a sub-SELECT). The WHERE group is the first group at the top level, except in CONSTRUCT,
    where that is the template when it comes before the WHERE keyword."""
    form, depth, start, template, first = None, 0, None, False, False
    for kind, text, match in _tokens(query):
        upper = text.upper() if kind == "word" else ""
        if form is None:
            if upper in FORMS:
                form, template = upper, upper == "CONSTRUCT"
            continue
        if first:
            first = False
            if upper == "SELECT":
                subselect = True
        if upper == "WHERE" and depth == 0 and template:
            raise UsageError("parameters cannot be bound in the short form CONSTRUCT WHERE { … }: "
                             "write CONSTRUCT { template } WHERE { … }")
        if kind == "open":
            if text == "{" and depth == 0 and start is None:
                if template:
                    template = False
                else:
                    start, first, subselect = match.end(), True, False
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
            if depth == 0 and start is not None:
                return form, start, match.start(), subselect
    raise UsageError("parameters can only be bound in a query with a WHERE group "
                     f"({'no SELECT, CONSTRUCT, ASK or DESCRIBE' if form is None else 'none found'})")


def bind_values(query: str, substitutions: Mapping) -> str:
    """``query`` with ``substitutions`` ({Variable: NamedNode or Literal}) bound by a VALUES block.

    The block, ``VALUES (?a ?b) { (<iri> "text") }``, goes right after the ``{`` that opens the
    WHERE group (wrapped with it in a group of its own when that group is a sub-SELECT), which makes
    the group ``Join(VALUES, rest of the group)``. For a variable that the group binds with triple
    patterns or property paths, or that is used in its FILTERs (EXISTS included), OPTIONALs or in
    sub-SELECTs that project it, this gives the same solutions as substituting the value (SPARQL
    SEP-0007) and as pyoxigraph's ``substitutions`` (checked for the saved queries, whose
    parameters are all used so). It differs only where a value would be substituted into a scope
    the outer group cannot reach: a nested group's own FILTER, MINUS, a sub-SELECT that does not
    project the variable, or a BIND that assigns it. For speed the block is repeated inside every
    sub-SELECT that projects a bound variable as itself, where the value is then substituted rather
    than joined after it (:func:`_inner_blocks` says where the two differ).

    :raises UsageError: a substitution that is not a Variable bound to an IRI or literal, or a query
        without a WHERE group to bind in.
    """
    substitutions = substitutions_checked(substitutions)
    _, start, end, subselect = _where_group(query)
    body, at = "", start
    for offset, inner in sorted(_inner_blocks(query, start, end, substitutions).items()):
        body, at = body + query[at:offset] + inner, offset
    body += query[at:end]
    block = _block(substitutions)
    if subselect:
        return f"{query[:start]}{block}{{ {body} }}{query[end:]}"
    return query[:start] + block + body + query[end:]


def _block(substitutions: Mapping) -> str:
    names = " ".join(map(str, substitutions))
    values = " ".join(map(str, substitutions.values()))
    return f" VALUES ({names}) {{ ({values}) }} "


def _inner_blocks(query: str, start: int, end: int, substitutions: Mapping) -> dict[int, str]:
    """{offset just inside a sub-SELECT's WHERE group: the VALUES block of the variables it projects}.

    The same values again inside each sub-SELECT (between ``start`` and ``end``) that projects a
    bound variable as itself (``SELECT ?v``, or ``SELECT *``), and whose enclosing sub-SELECTs all
    project it too, so that an engine that evaluates a sub-SELECT on its own (pyoxigraph) reads only
    the bound value's part of the data (findings of one case at 1M triples: 3.8 -> 0.10 s). Inside
    such a sub-SELECT this is substitution, as pyoxigraph's ``substitutions`` do it, not a join
    after it: they differ where the sub-SELECT's LIMIT/OFFSET would cut, or its OPTIONAL leave the
    variable unbound, before the join (the tests pin both).
    """
    from pyoxigraph import Variable

    blocks: dict[int, str] = {}
    scopes = [set(substitutions)]  # the bound variables visible in each open group
    projection: set | None = None  # while reading a sub-SELECT's projection: the variables named
    parens = 0
    opened_select = True  # the previous token opened a group (``start`` is just inside one)
    pending = None  # (offset, block) of the group just opened: dropped if a sub-SELECT fills it
    for kind, text, match in _tokens(query):
        if match.start() < start:
            continue
        if match.start() >= end:
            break
        if pending is not None:
            if not (kind == "word" and text.upper() == "SELECT"):  # (that sub-SELECT gets its own)
                blocks[pending[0]] = pending[1]
            pending = None
        if projection is not None:  # SELECT … up to WHERE or its group's brace
            if kind == "open" and text == "(":
                parens += 1
            elif kind == "close" and text == ")":
                parens -= 1
            elif parens == 0 and kind == "var":
                projection.add(Variable(text[1:]))
            elif parens == 0 and text == "*":
                projection.update(scopes[-1])
            if not (parens == 0 and kind == "open" and text == "{"):
                continue
            visible = scopes[-1] & projection
            projection, opened_select = None, True
            scopes[-1] = visible  # (the sub-SELECT's GROUP BY, HAVING and ORDER BY see what it projects)
            scopes.append(visible)
            if visible:
                pending = (match.end(), _block({v: substitutions[v] for v in substitutions if v in visible}))
            continue
        if kind == "word" and text.upper() == "SELECT" and opened_select:
            projection, parens = set(), 0
        elif kind == "open" and text == "{":
            scopes.append(scopes[-1])
        elif kind == "close" and text == "}" and len(scopes) > 1:
            scopes.pop()
        opened_select = kind == "open" and text == "{"
    return blocks


_AGGREGATES = ("COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT")


@dataclass(frozen=True)
class FinalOrder:
    """A SELECT's final ORDER BY, split off (:func:`final_order_by`)."""

    unordered: str  #: the query without its ORDER BY clause, the variables of ``extra`` projected too
    prologue: str  #: the PREFIX and BASE declarations the conditions may use
    conditions: str  #: the ORDER BY's conditions, as written
    variables: tuple[str, ...]  #: the names of the variables the conditions name
    extra: tuple[str, ...]  #: those of them added to the projection (to be dropped after sorting)


def final_order_by(query: str) -> FinalOrder | None:
    """The ORDER BY of a SELECT at its outermost level, split off so that the rows of ``unordered``
    sorted by ``conditions`` (over the variables of the answer) are the answer of ``query``; None
    where no such split keeps the answer: no ORDER BY at the outermost level, a LIMIT or OFFSET
    (which would cut other rows), an EXISTS or an aggregate in the conditions (they read the data),
    or conditions over variables that are not projected when they cannot be added to the projection
    (SELECT DISTINCT or REDUCED, GROUP BY, HAVING or an aggregate: the rows would change). An ORDER
    BY inside a sub-SELECT is part of the WHERE group and stays."""
    phase, depth, select, projection_end, order, conditions = "prologue", 0, 0, 0, None, None
    projected, names, star, distinct, grouped, after_as = set(), [], False, False, False, False
    for kind, text, match in _tokens(query):
        upper = text.upper() if kind == "word" else ""
        top = depth == 0  # (before this token)
        depth += (kind == "open") - (kind == "close")
        if phase == "prologue":
            if upper in FORMS:
                if upper != "SELECT":
                    return None
                phase, select = "projection", match.start()
        elif phase == "projection":
            if top and (upper in ("WHERE", "FROM") or text == "{"):
                phase, projection_end = "where", match.start()
                if text == "{":
                    continue
            elif kind == "var" and (top or after_as):
                projected.add(text[1:])
            star |= top and text == "*"
            distinct |= top and upper in ("DISTINCT", "REDUCED")
            grouped |= upper in _AGGREGATES
            after_as = upper == "AS"
        if phase == "where":
            if kind == "close" and depth == 0:
                phase = "modifiers"
        elif phase != "modifiers":
            continue
        elif top and upper in ("LIMIT", "OFFSET"):
            return None
        elif conditions is not None:  # inside the ORDER BY's conditions
            if top and upper == "VALUES":
                conditions[1] = match.start()
                break
            if text == "{" or upper in _AGGREGATES:
                return None
            if kind == "var":
                names.append(text[1:])
        elif top and upper in ("GROUP", "HAVING"):
            grouped = True
        elif top and upper == "ORDER":
            order = match.start()
        elif top and upper == "BY" and order is not None:
            conditions = [match.end(), len(query)]
    if conditions is None:
        return None
    variables = tuple(dict.fromkeys(names))
    extra = () if star else tuple(v for v in variables if v not in projected)
    if extra and (distinct or grouped):
        return None
    start, end = conditions
    added = "".join(f" ?{v}" for v in extra) + " " if extra else ""
    unordered = query[:projection_end] + added + query[projection_end:order] + query[end:]
    return FinalOrder(unordered, query[:select], query[start:end], variables, extra)
