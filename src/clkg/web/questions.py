"""The saved questions: a gallery of every ``queries/*.rq``, each with a form for its parameters
(choices filled from the graph where ``clkg/web/queries/choices-PARAM.rq`` lists them), its
answer as a table, and downloads in every format of ``clkg query``; and the comparison tables
of ``clkg compare`` with its downloads."""

from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.responses import Response

from clkg.errors import UsageError
from clkg.saved_queries import saved_queries
from clkg.tables import FORMATS, pivot, render, shortened
from clkg.web import tasks
from clkg.web.app import curies, page, run, table_curies

#: file name extension and media type of each format of `clkg query`
EXTENSIONS = {"table": "txt", "csv": "csv", "json": "json", "md": "md", "html": "html", "latex": "tex"}
MEDIA = {"table": "text/plain", "csv": "text/csv", "json": "application/json", "md": "text/markdown",
         "html": "text/html", "latex": "text/x-tex"}
COMPARE_FORMATS = ("csv", "md", "html", "latex", "table")  # those of `clkg compare`
COMPARED = ("studies", "cases")
LABEL_LENGTH = 150  # characters of a choice's label


async def gallery(request):
    return page(request, "questions.html", title="Saved questions", queries=list(saved_queries().values()),
                compared=COMPARED)


def split_format(name: str, formats) -> tuple[str, str | None]:
    """``barrier-matrix.csv`` -> ("barrier-matrix", "csv"); a name without a known format -> (name, None)."""
    stem, dot, fmt = name.rpartition(".")
    return (stem, fmt) if dot and fmt in formats else (name, None)


def _download(text: str, name: str, fmt: str) -> Response:
    return Response(text, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{EXTENSIONS[fmt]}"'})


async def question(request):
    """``/questions/NAME`` (the page) and ``/questions/NAME.FORMAT`` (a download), parameters in the
    query string."""
    name, fmt = split_format(request.path_params["name"], FORMATS)
    query = saved_queries().get(name)
    if query is None:
        raise HTTPException(404, f"there is no saved question {name!r}")
    values = {key: request.query_params[key].strip() for key in query.params
              if request.query_params.get(key, "").strip()}
    if fmt:
        table = await run(request, tasks.answer, name, values)
        return _download(render(shortened(table, table_curies(request)), fmt), name, fmt)
    lists = tuple(f"choices-{p}" for p in query.params if tasks.has_page_query(f"choices-{p}"))
    choices = await run(request, tasks.rows, lists, {}) if lists else {}
    fields = [param_field(param, choices.get(f"choices-{param.name}"), values.get(param.name), curies=curies(request))
              for param in query.params.values()]
    missing = [p.name for p in query.params.values() if p.required and p.name not in values]
    table, problem = None, None
    if not missing:
        try:
            table = await run(request, tasks.answer, name, values)
        except UsageError as err:
            problem = str(err)
    suffix = f"?{urlencode(values)}" if values else ""
    return page(request, "question.html", status=400 if problem else 200, title=query.title, query=query,
                fields=fields, missing=missing, problem=problem, table=table,
                downloads=[(fmt, f"/questions/{name}.{fmt}{suffix}") for fmt in FORMATS],
                editor=f"/query?{urlencode({'saved': name, **values})}")


def param_field(param, rows: list[dict] | None, chosen: str | None, *, curies) -> dict:
    """A form field for a parameter: its options (value, label, group) when the graph lists them,
    IRIs as CURIEs of ``curies``."""
    from clkg.prefixes import compress

    options = []
    for row in rows or ():
        value = row["value"]
        text = compress(value.value, curies) if type(value).__name__ == "NamedNode" else value.value
        label = row["label"].value if row["label"] is not None else text
        if len(label) > LABEL_LENGTH:
            label = label[:LABEL_LENGTH - 1] + "…"
        options.append({"value": text, "label": label, "group": row["group"].value if row["group"] else ""})
    if chosen and rows is not None and chosen not in {o["value"] for o in options}:
        options.insert(0, {"value": chosen, "label": chosen, "group": ""})
    return {"param": param, "options": options if rows is not None else None, "chosen": chosen or ""}


async def compare(request):
    """``/compare/studies`` and ``/compare/cases``: the pivoted comparison, and its downloads."""
    what, fmt = split_format(request.path_params["what"], COMPARE_FORMATS)
    if what not in COMPARED:
        raise HTTPException(404, f"compare takes {' or '.join(COMPARED)}, not {what!r}")
    table = pivot(await run(request, tasks.answer, f"compare-{what}", {}))
    if fmt:
        return _download(render(shortened(table, table_curies(request)), fmt), f"compare-{what}", fmt)
    return page(request, "compare.html", title=f"{what.capitalize()} compared", what=what, table=table,
                compared=COMPARED, downloads=[(f, f"/compare/{what}.{f}") for f in COMPARE_FORMATS])
