"""SPARQL for tools and people: ``/sparql`` (the SPARQL 1.1 Protocol, read-only) and ``/query``
(a page to write a query, with the prefixes preset, and see its answer).

``/sparql`` takes ``query`` by GET, by a form POST or as an ``application/sparql-query`` body,
answers SELECT and ASK as SPARQL JSON, XML, CSV or TSV and CONSTRUCT and DESCRIBE as Turtle,
JSON-LD, N-Triples or RDF/XML, by the Accept header or a ``format``/``output`` parameter. It
refuses updates (403), a dataset of its own choosing (``default-graph-uri``/``named-graph-uri``:
queries see clkg's graphs, their union as the default graph) and, as every store call, a query
past the time limit or an answer past the size limit. CORS lets a page on any origin call it.
"""

from starlette.responses import Response

from clkg.errors import UsageError
from clkg.web import tasks
from clkg.web.app import curies, page, read_prefixes, run
from clkg.web.media import preferred
from clkg.web.runner import QueryError

EXAMPLE = "SELECT ?study ?title WHERE {\n  ?study a clkg:Study ; dcterms:title ?title .\n}\nORDER BY ?title\nLIMIT 100\n"


class Refused(UsageError):
    """A protocol request the endpoint does not carry out (a dataset, an unknown body)."""


class UpdateRefused(Refused):
    """An update: the endpoint is read-only."""


async def _parameters(request) -> dict[str, list[str]]:
    """The protocol's parameters from the query string and, for a POST, the body.

    :raises UpdateRefused: an update
    :raises Refused: a dataset, or a body of a type the protocol does not define
    """
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            raise UpdateRefused("this endpoint is read-only: it answers queries, never updates")
        if kind == "application/sparql-query":
            params.setdefault("query", []).append((await request.body()).decode("utf-8", "replace"))
        elif kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            for key, value in form.multi_items():
                params.setdefault(key, []).append(str(value))
        else:
            raise Refused(f"a POST to /sparql carries a query as application/sparql-query or as a "
                          f"form (application/x-www-form-urlencoded), not {kind or 'no content type'}")
    if "update" in params:
        raise UpdateRefused("this endpoint is read-only: it answers queries, never updates")
    if "default-graph-uri" in params or "named-graph-uri" in params:
        raise Refused("this endpoint does not take default-graph-uri or named-graph-uri: queries see "
                      "clkg's graphs (their union as the default graph; GRAPH ?g names each)")
    return params


def _one(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key, [])
    if len(values) > 1:
        raise QueryError(f"give one {key} parameter, not {len(values)}")
    return values[0] if values else None


async def endpoint(request):
    """The SPARQL 1.1 Protocol endpoint."""
    try:
        params = await _parameters(request)
    except UpdateRefused as err:
        return Response(f"{err}\n", status_code=403, media_type="text/plain")
    text = _one(params, "query")
    if text is None:
        config = request.app.state.config
        return page(request, "endpoint.html", title="SPARQL endpoint", timeout=config.timeout,
                    limit_mb=config.max_result / 1e6)
    if not text.strip():
        raise QueryError("the query is empty")
    accept = preferred(request.headers.get("accept"), _one(params, "format") or _one(params, "output"))
    media, body, seconds = await run(request, tasks.sparql, text, accept, request.app.state.config.max_result)
    # Server-Timing: how long the store took, so that a client can tell it from the server's own time
    return Response(body, media_type=media, headers={"Vary": "Accept", "Server-Timing": f"store;dur={seconds * 1000:.1f}"})


def prefix_block(curies) -> str:
    """PREFIX lines for the prefixes of ``curies`` (a ``curies.Converter``: the editor's preset)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(curies.prefix_map.items()))


async def editor(request):
    """``/query``: a form to write SPARQL (prefixes preset) and its answer below. ``?saved=NAME``
    (and that question's parameters) opens a saved query; ``query=`` runs a text."""
    params = dict(request.query_params)
    if request.method == "POST":
        params.update({k: str(v) for k, v in (await request.form()).items()})
    saved = params.pop("saved", None)
    text = params.pop("query", None)
    if saved:
        text = await run(request, tasks.saved_text, saved, {k: v for k, v in params.items() if v.strip()})
    elif text is None:
        await read_prefixes(request)  # the preset names the studies' prefixes too
    answer, problem = None, None
    if text and text.strip():
        config = request.app.state.config
        from clkg.web.render import MAX_ROWS

        try:
            answer = await run(request, tasks.table, text, MAX_ROWS, config.max_result)
        except (QueryError, UsageError) as err:
            problem = str(err)
    return page(request, "editor.html", status=400 if problem else 200, title="SPARQL query",
                text=text if text is not None else prefix_block(curies(request)) + "\n" + EXAMPLE,
                answer=answer, problem=problem, saved=saved)
