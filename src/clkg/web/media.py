"""Content negotiation: the media types the server writes, and which one a client prefers."""

from clkg.web.runner import NotAcceptable

SOLUTIONS = {  # SELECT and ASK answers: media type -> pyoxigraph QueryResultsFormat name
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "application/xml": "XML",
    "text/csv": "CSV", "text/tab-separated-values": "TSV",
}
GRAPHS = {  # CONSTRUCT and DESCRIBE answers, descriptions of IRIs: media type -> pyoxigraph RdfFormat name
    "text/turtle": "TURTLE", "application/ld+json": "JSON_LD", "application/n-triples": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
}
#: the ``format`` (or ``output``) parameter's short names, each standing for the media types it
#: names in answers of either kind (as YASGUI, SPARQLWrapper and browsers' links use it)
SHORT = {"json": ("application/sparql-results+json", "application/ld+json"),
         "xml": ("application/sparql-results+xml", "application/rdf+xml"),
         "csv": ("text/csv",), "tsv": ("text/tab-separated-values",),
         "ttl": ("text/turtle",), "turtle": ("text/turtle",), "n3": ("text/turtle",),
         "jsonld": ("application/ld+json",), "json-ld": ("application/ld+json",),
         "nt": ("application/n-triples",), "rdfxml": ("application/rdf+xml",)}


def preferred(accept: str | None, short: str | None) -> str:
    """The Accept header to negotiate with: the media types that a ``format`` (or ``output``)
    parameter names, a short name or a media type, in place of the client's header.

    :raises NotAcceptable: an unknown short name
    """
    if not short:
        return accept or "*/*"
    if "/" in short:
        return short
    if short.lower() not in SHORT:
        raise NotAcceptable(f"unknown format {short!r}: use one of {', '.join(SHORT)} or a media type")
    return ", ".join(SHORT[short.lower()])


def negotiate(accept: str | None, offered) -> str:
    """The offered media type the client prefers by its Accept header; with ``*/*`` (or no
    header), the first offered.

    :raises NotAcceptable: the client accepts none of them
    """
    ranges = []
    for position, part in enumerate((accept or "*/*").split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            key, _, val = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(val)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranges.append((-quality, position, media.lower()))
    for _, _, media in sorted(ranges):
        kind, _, sub = media.partition("/")
        for candidate in offered:
            if media in (candidate, "*/*") or (sub == "*" and candidate.startswith(kind + "/")):
                return candidate
    raise NotAcceptable(f"cannot answer in a format of Accept: {accept}; this answer can be "
                        f"{', '.join(offered)}")


def serialize_triples(triples, output, media: str) -> None:
    """Write triples to a binary ``output`` in one of the media types of :data:`GRAPHS` (Turtle and
    RDF/XML with the ontology's prefixes)."""
    import pyoxigraph

    from clkg.vocabulary import prefixes

    fmt = getattr(pyoxigraph.RdfFormat, GRAPHS[media])
    options = {"prefixes": prefixes()} if GRAPHS[media] in ("TURTLE", "RDF_XML") else {}
    pyoxigraph.serialize(triples, output, format=fmt, **options)
