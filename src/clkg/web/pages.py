"""The pages a researcher browses: studies, search, and one page per resource (its IRI's path).

A resource's page depends on its class (a study, a case, a finding, a quotation, an alignment,
a concept scheme, a concept, an informant, an organization; anything else gets the general
page). The same path answers Turtle, JSON-LD, N-Triples or RDF/XML to a client that asks for
them (Accept, or ``?format=ttl|jsonld|nt|rdfxml``), as w3id redirects would to a deployed clkg.
"""

from collections import defaultdict

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from clkg.namespaces import GRAPH
from clkg.web import tasks
from clkg.web.app import curies, page, run
from clkg.web.media import GRAPHS, negotiate, preferred
from clkg.web.render import SITE, expand, href, text

#: class CURIE -> (template, the queries of its sections); the first class a resource has wins
KINDS = (
    ("clkg:Study", "study.html", ("cases", "strata", "findings", "quotations")),
    ("clkg:Case", "case.html", ("findings", "quotations", "members", "informants", "observations", "strata")),
    ("clkg:Finding", "finding.html", ("quotations",)),
    ("clkg:Quotation", "quotation.html", ("position",)),
    ("owl:Axiom", "mapping.html", ("mapping",)),
    ("skos:ConceptScheme", "scheme.html", ("scheme",)),
    ("skos:Concept", "concept.html", ("relations", "alignments", "findings", "quotations", "observations")),
    ("clkg:Informant", "resource.html", ("quotations", "incoming")),
    ("clkg:MemberOrganization", "resource.html", ("informants", "incoming")),
)
GENERAL = ("resource.html", ("incoming",))
MAX_SEARCH = 200  # characters of a search text
STUDIES_PER_PAGE = 100
TITLE = 90  # characters of a page title


class Statements:
    """What a resource says (rows of ``describe.rq``), looked up by property CURIE."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        self._by: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            self._by[row["p"].value].append(row)

    def __call__(self, curie: str) -> list[dict]:
        """The rows of one property: each has the value ``o`` and its ``label``."""
        return self._by.get(expand(curie), [])

    def first(self, curie: str):
        """The first value of a property, or None."""
        found = self(curie)
        return found[0]["o"] if found else None

    def types(self) -> set[str]:
        return {row["o"].value for row in self("rdf:type")}

    def label(self) -> str | None:
        """A name for the page's title: a label or title, else the start of a statement or quotation."""
        for curie in ("skos:prefLabel", "rdfs:label", "dcterms:title", "clkg:statement", "oa:exact",
                      "dcterms:identifier"):
            if (value := self.first(curie)) is not None:
                return value.value if len(value.value) <= TITLE else value.value[:TITLE - 1] + "…"
        return None


async def home(request):
    return RedirectResponse("/studies", status_code=307)


async def studies(request):
    """``/studies?page=N``: :data:`STUDIES_PER_PAGE` studies a page, with the cross-study findings."""
    found = await run(request, tasks.rows, ("studies", "cross-study"), {})
    listed = by_study(found["studies"])
    number = request.query_params.get("page", "1")
    pages = max(1, -(-len(listed) // STUDIES_PER_PAGE))
    if not (number.isascii() and number.isdigit()) or not 1 <= int(number) <= pages:
        raise HTTPException(404, f"there is no page {number[:20]!r} of the studies: there are {pages} (page=1 to {pages})")
    first = (int(number) - 1) * STUDIES_PER_PAGE
    return page(request, "studies.html", title="Studies", studies=listed[first:first + STUDIES_PER_PAGE],
                first=first + 1, total=len(listed), number=int(number), pages=pages, cross=found["cross-study"])


def by_study(rows: list[dict]) -> list[dict]:
    """The rows of ``studies.rq`` as one row a study, in their order: a study with several
    frameworks (or authors) has a row for each; its row here lists them all (``frameworks``:
    (framework, label) pairs; ``authors``: the authors' values)."""
    merged: dict = {}
    for row in rows:
        study = merged.setdefault(row["study"], {**row, "frameworks": [], "authors": []})
        if row["framework"] is not None and (row["framework"], row["frameworkLabel"]) not in study["frameworks"]:
            study["frameworks"].append((row["framework"], row["frameworkLabel"]))
        if row["authors"] is not None and row["authors"] not in study["authors"]:
            study["authors"].append(row["authors"])
    return list(merged.values())


async def search(request):
    from pyoxigraph import Literal

    text = " ".join(request.query_params.get("q", "").split())[:MAX_SEARCH]
    hits: dict[str, list] = {}
    if text:
        found = await run(request, tasks.rows, ("search",), {"text": Literal(text)})
        for row in found["search"]:
            hits.setdefault(_section(row["classes"].value.split() if row["classes"] else []), []).append(row)
    sections = sorted(hits.items(), key=lambda kv: SECTIONS.index(kv[0]))
    return page(request, "search.html", title="Search", q=text, sections=sections,
                total=sum(len(v) for v in hits.values()))


SECTIONS = ("studies", "cases", "concepts", "findings", "quotations", "other")
_SECTION_OF = {"clkg:Study": "studies", "clkg:Case": "cases", "skos:Concept": "concepts",
               "skos:ConceptScheme": "concepts", "clkg:Finding": "findings", "clkg:Quotation": "quotations"}


def _section(classes: list[str]) -> str:
    for curie, section in _SECTION_OF.items():
        if expand(curie) in classes:
            return section
    return "other"


async def resource_by_iri(request):
    """Any IRI by ``?iri=``: clkg's own are sent to their path."""
    iri = request.query_params.get("iri", "").strip()
    if not iri:
        raise HTTPException(404, "name an IRI: /resource?iri=…")
    if iri.startswith(SITE) and "?" not in iri and "#" not in iri:
        return RedirectResponse(href(iri), status_code=307)
    return await show(request, iri)


async def resource(request):
    """The path of a clkg IRI: ``/data/…`` for ``https://w3id.org/clkg/data/…``."""
    return await show(request, SITE + request.path_params["path"])


async def show(request, iri: str):
    """The page of an IRI, or its description in RDF when the client asks for that."""
    from pyoxigraph import NamedNode

    media = negotiate(preferred(request.headers.get("accept"), request.query_params.get("format")),
                      ["text/html", *GRAPHS])
    if media != "text/html":
        config = request.app.state.config
        body = await run(request, tasks.describe, iri, media, config.max_result)
        if not body:
            raise HTTPException(404, f"nothing in the graph is named <{iri}>")
        return Response(body, media_type=media, headers={"Vary": "Accept"})
    item = NamedNode(iri)
    about = Statements((await run(request, tasks.rows, ("describe",), {"item": item}))["describe"])
    if iri.startswith(GRAPH) and iri in (sizes := await run(request, tasks.status)):
        return page(request, "graph.html", headers={"Vary": "Accept"}, title=f"Graph {iri}", item=item,
                    about=about, triples=sizes[iri])
    types = about.types()
    template, sections = next(((t, s) for curie, t, s in KINDS if expand(curie) in types), GENERAL)
    found = await run(request, tasks.rows, sections, {"item": item})
    if not about.rows and not found.get("incoming"):
        return await _nothing_about(request, iri)
    context = {"item": item, "about": about, "data": found, "title": about.label() or iri}
    if template == "scheme.html":
        context["tree"] = hierarchy(found["scheme"])
    if template == "mapping.html" and found["mapping"]:
        mapping = found["mapping"][0]
        context["title"] = " — ".join(text(mapping[k], curies=curies(request)) for k in ("subjectLabel", "predicate", "objectLabel"))
        for side in ("subject", "object"):
            context[side] = await run(request, tasks.rows, ("findings", "quotations"), {"item": mapping[side]})
    return page(request, template, headers={"Vary": "Accept"}, **context)


async def _nothing_about(request, iri: str):
    """The resources under an IRI (a source table's rows, a namespace), or 404."""
    from pyoxigraph import NamedNode

    under = (await run(request, tasks.rows, ("under",), {"item": NamedNode(iri)}))["under"]
    if not under:
        raise HTTPException(404, f"nothing in the graph is named <{iri}>")
    return page(request, "under.html", title=iri, item=NamedNode(iri), under=under)


def hierarchy(rows: list[dict]) -> list[tuple[dict, int]]:
    """The concepts of a scheme (rows of ``scheme.rq``) in depth-first order with their depth: top
    concepts first, each followed by its narrower ones (a concept with two broader ones under each)."""
    concepts, children = {}, defaultdict(list)
    for row in rows:
        concepts.setdefault(row["concept"].value, row)
        if row["broader"] is not None:
            children[row["broader"].value].append(row["concept"].value)
    narrower = {iri for kids in children.values() for iri in kids}
    tops = [iri for iri in concepts if iri not in narrower]
    ordered: list[tuple[dict, int]] = []

    def visit(iri: str, depth: int, path: frozenset) -> None:
        ordered.append((concepts[iri], depth))
        for child in dict.fromkeys(children.get(iri, ())):
            if child in concepts and child not in path:  # (a cycle of skos:broader is shown once)
                visit(child, depth + 1, path | {child})

    for iri in tops or list(concepts):
        visit(iri, 0, frozenset({iri}))
    return ordered
