"""The web application: routes, the pool of store workers, error pages.

Every route is listed in :func:`create_app`; any other path is read as a clkg IRI
(``https://w3id.org/clkg/PATH``) and looked up in the store, never on disk. The only files
served are the package's own ``static/`` folder.
"""

import asyncio
from dataclasses import dataclass
from pathlib import Path

from clkg.errors import ClkgError, StoreError, StoreMissing, UsageError
from clkg.web.runner import AnswerTooLarge, EachRequest, NotAcceptable, QueryError, QueryTimeout, Runner

#: HTTP status of each kind of error (the first matching class wins)
STATUS = ((StoreMissing, 503), (QueryTimeout, 503), (AnswerTooLarge, 422), (NotAcceptable, 406),
          (QueryError, 400), (UsageError, 400), (StoreError, 502), (ClkgError, 500))


@dataclass(frozen=True)
class Config:
    """What ``clkg serve`` was asked for."""

    store: str
    workers: int = 2
    timeout: float = 30.0
    max_result: int = 50_000_000  # bytes
    url: str = ""  # where it is served, to announce


def create_app(config: Config):
    """The Starlette application over the store ``config.store``."""
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from clkg.text import plural
    from clkg.web import docs, linked, pages, plots, questions, sparql, tasks
    from clkg.web.render import environment

    @asynccontextmanager
    async def lifespan(app):
        app.state.runner = Runner(config.store, workers=config.workers, timeout=config.timeout)
        await app.state.runner.start()
        app.state.ontology_docs = docs.Generating()
        try:
            sizes = await app.state.runner.run(tasks.status)
            note = f"{plural(len(sizes), 'graph')}, {plural(sum(sizes.values()), 'triple')}"
        except ClkgError as err:
            note = f"warning: {err}"
        print(f"clkg serve: {config.store} ({note}) at {config.url or '/'} — Ctrl-C stops", flush=True)
        warming = asyncio.create_task(plots.warm_up(app.state.runner))
        try:
            yield
        finally:
            warming.cancel()
            app.state.ontology_docs.stop()
            app.state.runner.close()

    routes = [
        Route("/", pages.home),
        Route("/studies", pages.studies),
        Route("/search", pages.search),
        Route("/resource", pages.resource_by_iri),
        Route("/questions", questions.gallery),
        Route("/questions/{name}", questions.question),
        Route("/compare/{what}", questions.compare),
        Route("/plots", plots.gallery),
        Route("/plots/{name}", plots.plot),
        Route("/sparql", sparql.endpoint, methods=["GET", "POST"]),
        Route("/query", sparql.editor, methods=["GET", "POST"]),
        Route("/ontology", linked.ontology),
        Route("/.well-known/void", linked.void),
        Mount("/static", StaticFiles(directory=Path(__file__).resolve().parent / "static"), name="static"),
        Route("/{path:path}", pages.resource),
    ]
    app = Starlette(
        routes=routes, lifespan=lifespan,
        middleware=[Middleware(EachRequest),
                    Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                               allow_headers=["*"], max_age=3600)],
        exception_handlers={ClkgError: _error, HTTPException: _error, Exception: _error})
    app.state.config = config
    app.state.env = environment()
    app.state.table_curies = None  # see read_prefixes
    app.state.prefixes_read = None  # Runner.changes when they were read
    return app


def page(request, template: str, *, status: int = 200, headers: dict | None = None, **context):
    """An HTML page from a template; it writes IRIs with the prefixes of :func:`curies`."""
    from starlette.responses import HTMLResponse

    state = request.app.state
    html = state.env.get_template(template).render(request=request, store=state.config.store, **context)
    return HTMLResponse(html, status_code=status, headers=headers)


async def run(request, task, *args):
    """Call a task of :mod:`clkg.web.tasks` in a store worker (see :class:`~clkg.web.runner.Runner`),
    with :func:`read_prefixes` before and after (a worker may have found a changed store)."""
    await read_prefixes(request)
    found = await request.app.state.runner.run(task, *args)
    await read_prefixes(request)
    return found


async def read_prefixes(request) -> None:
    """Read the studies' own prefixes from the store, the first time the store answers and again
    after a worker found that the store may have changed (a study loaded while the server runs)."""
    from clkg.prefixes import converter as table_converter
    from clkg.web import tasks
    from clkg.web.render import converter

    state = request.app.state
    if state.table_curies is None or state.prefixes_read != state.runner.changes:
        prefixes = await state.runner.run(tasks.prefixes)
        state.env.globals["curies"], state.table_curies = converter(prefixes), table_converter(prefixes)
        state.prefixes_read = state.runner.changes


def curies(request):
    """The prefixes the pages write IRIs with (a ``curies.Converter``): the ontology's, a few more and,
    once the store has answered, each study's own (read again when the store has changed)."""
    return request.app.state.env.globals["curies"]


def table_curies(request):
    """The prefixes of the downloads, those of ``clkg query`` and ``clkg compare`` (call after :func:`run`)."""
    return request.app.state.table_curies


def _wants_html(request) -> bool:
    accept = request.headers.get("accept", "")
    return request.url.path != "/sparql" and ("text/html" in accept or not accept or "*/*" in accept)


async def _error(request, err: Exception):
    """A page (or, for /sparql and other clients, plain text) for an error; never a traceback."""
    from starlette.exceptions import HTTPException
    from starlette.responses import PlainTextResponse

    if isinstance(err, HTTPException):
        status, title, message = err.status_code, "Not here", err.detail
    elif isinstance(err, ClkgError):
        status = next(code for cls, code in STATUS if isinstance(err, cls))
        title, message = _TITLES.get(type(err), "The request failed"), str(err)
    else:  # a bug: Starlette passes the traceback on to the server's log, never to the client
        status, title, message = 500, "Internal error", "clkg failed on this request; the server's log has the details."
    if not _wants_html(request):
        return PlainTextResponse(f"{message}\n", status_code=status)
    return page(request, "error.html", status=status, title=title, message=message)


_TITLES = {StoreMissing: "No graph to show", QueryTimeout: "The query took too long",
           AnswerTooLarge: "The answer is too large", QueryError: "The query failed",
           NotAcceptable: "No such format", UsageError: "Cannot answer that"}
