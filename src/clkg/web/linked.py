"""Linked data: the ontology at ``/ontology`` (pyLODE's HTML, or the ontology in RDF), and a
VoID/DCAT description of the graph at ``/.well-known/void``."""

import asyncio
import io

from starlette.responses import HTMLResponse, Response

from clkg.web import docs, tasks
from clkg.web.app import page, run
from clkg.web.media import GRAPHS, negotiate, preferred, serialize_triples

VOID, DCAT, DCTERMS = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FORMATS = "http://www.w3.org/ns/formats/"


def _media(request, offered) -> str:
    return negotiate(preferred(request.headers.get("accept"), request.query_params.get("format")), offered)


async def ontology(request):
    """``https://w3id.org/clkg/ontology``: its documentation, or the ontology in RDF."""
    media = _media(request, ["text/html", *GRAPHS])
    if media == "text/html":
        html = await asyncio.wrap_future(request.app.state.ontology_docs.future)
        return HTMLResponse(html, headers={"Vary": "Accept"})
    body = await asyncio.to_thread(docs.ontology_rdf, media)
    return Response(body, media_type=media, headers={"Vary": "Accept"})


async def void(request):
    """The VoID and DCAT description: the dataset, its named graphs and their sizes, the studies
    and other classes, the ontology's version and licence, the SPARQL endpoint."""
    media = _media(request, [*GRAPHS, "text/html"])
    sizes = await run(request, tasks.status)
    found = await run(request, tasks.rows, ("void-classes", "void-graphs"), {})
    triples = description(str(request.base_url), sizes, found["void-classes"], found["void-graphs"])
    out = io.BytesIO()
    serialize_triples(triples, out, "text/turtle" if media == "text/html" else media)
    if media == "text/html":
        return page(request, "void.html", title="VoID description", turtle=out.getvalue().decode("utf-8"))
    return Response(out.getvalue(), media_type=media, headers={"Vary": "Accept"})


def description(base: str, sizes: dict[str, int], classes: list[dict], graphs: list[dict]) -> list:
    """The VoID/DCAT triples for a server at ``base``: ``sizes`` are triples per named graph,
    ``classes`` rows of void-classes.rq, ``graphs`` rows of void-graphs.rq."""
    from pyoxigraph import BlankNode, Literal, NamedNode, Triple

    from clkg.web.render import SITE, ontology_converter

    xsd_integer = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    dataset, endpoint = NamedNode(f"{base}.well-known/void#clkg"), NamedNode(f"{base}sparql")
    triples = []

    def add(subject, predicate: str, obj) -> None:
        triples.append(Triple(subject, NamedNode(predicate), obj))

    def count(n: int):
        return Literal(str(n), datatype=xsd_integer)

    for kind in (VOID + "Dataset", DCAT + "Dataset"):
        add(dataset, RDF_TYPE, NamedNode(kind))
    add(dataset, DCTERMS + "title", Literal("clkg: a knowledge graph of research on learning in clusters and cluster initiatives"))
    add(dataset, VOID + "sparqlEndpoint", endpoint)
    add(dataset, VOID + "uriSpace", Literal(SITE))
    add(dataset, VOID + "triples", count(sum(sizes.values())))
    for fmt in ("Turtle", "JSON-LD", "N-Triples", "RDF_XML", "SPARQL_Results_JSON", "SPARQL_Results_XML",
                "SPARQL_Results_CSV", "SPARQL_Results_TSV"):
        add(dataset, VOID + "feature", NamedNode(FORMATS + fmt))
    for namespace in sorted(set(ontology_converter().prefix_map.values())):
        if not namespace.startswith(SITE):
            add(dataset, VOID + "vocabulary", NamedNode(namespace))
    for row in graphs:
        if row["version"] is not None:  # the ontology's version and licence are the dataset's
            add(dataset, DCAT + "version", row["version"])
            add(dataset, "http://www.w3.org/2002/07/owl#versionInfo", row["version"])
        if row["license"] is not None:
            add(dataset, DCTERMS + "license", row["license"])
    service, distribution = BlankNode(), BlankNode()
    add(dataset, DCAT + "distribution", distribution)
    add(distribution, RDF_TYPE, NamedNode(DCAT + "Distribution"))
    add(distribution, DCAT + "accessURL", endpoint)
    add(distribution, DCAT + "accessService", service)
    add(service, RDF_TYPE, NamedNode(DCAT + "DataService"))
    add(service, DCAT + "endpointURL", endpoint)
    add(service, DCTERMS + "conformsTo", NamedNode("https://www.w3.org/TR/sparql11-protocol/"))
    for row in classes:
        partition = BlankNode()
        add(dataset, VOID + "classPartition", partition)
        add(partition, VOID + "class", row["class"])
        add(partition, VOID + "entities", row["entities"])
    titles = {}
    for row in graphs:
        titles.setdefault(row["graph"].value, (row["thing"], row["title"]))
    for graph, triples_in_graph in sorted(sizes.items()):
        subset = NamedNode(graph)
        add(dataset, VOID + "subset", subset)
        add(subset, RDF_TYPE, NamedNode(VOID + "Dataset"))
        add(subset, VOID + "triples", count(triples_in_graph))
        add(subset, VOID + "sparqlEndpoint", endpoint)
        thing, title = titles.get(graph, (None, None))
        if thing is not None:
            add(subset, "http://xmlns.com/foaf/0.1/primaryTopic", thing)
        if title is not None:
            add(subset, DCTERMS + "title", title)
    return triples
