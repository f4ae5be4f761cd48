"""HTML: the Jinja environment (every value escaped) and how RDF terms are shown and linked."""

from functools import cache
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup, escape

from clkg.prefixes import compress
from clkg.prefixes import converter as with_prefixes

#: the base of every clkg IRI (clkg.namespaces); such an IRI is served at the same path here
SITE = "https://w3id.org/clkg/"
#: namespaces the pages name beside the ontology's own prefixes
EXTRA_PREFIXES = {"sssom": "https://w3id.org/sssom/", "semapv": "https://w3id.org/semapv/vocab/",
                  "void": "http://rdfs.org/ns/void#", "dcat": "http://www.w3.org/ns/dcat#"}
#: most rows a page shows of one list (the downloads hold all of them)
MAX_ROWS = 2000


def converter(extra: dict[str, str] | None = None):
    """The prefixes of the pages (a ``curies.Converter``): the ontology's, a few more
    (:data:`EXTRA_PREFIXES`) and ``extra``, the studies' own (:func:`clkg.prefixes.store_prefixes`)."""
    return with_prefixes({**EXTRA_PREFIXES, **(extra or {})})


def expand(curie: str) -> str:
    """``dcterms:title`` -> its IRI (a prefix of the ontology or :data:`EXTRA_PREFIXES`)."""
    head, _, tail = curie.partition(":")
    return ontology_converter().prefix_map[head] + tail


@cache
def ontology_converter():
    """:func:`converter` without the studies' prefixes."""
    return converter()


def href(iri: str) -> str:
    """The local URL of an IRI: the same path for clkg's own IRIs (as w3id would redirect to
    a deployed clkg), ``/resource?iri=…`` for any other."""
    if iri.startswith(SITE) and "?" not in iri:
        return "/" + quote(iri[len(SITE):], safe="/#:@!$&'()*+,;=-._~%")
    return "/resource?iri=" + quote(iri, safe="")


def term(value, label=None, *, curies) -> Markup:
    """A term as HTML: an IRI as a link (showing ``label`` or its CURIE of ``curies``), a literal as text."""
    if value is None:
        return Markup("")
    kind = type(value).__name__
    if kind == "NamedNode":
        shown = label.value if hasattr(label, "value") else label
        return Markup('<a href="{}">{}</a>').format(href(value.value), shown or compress(value.value, curies))
    if kind == "BlankNode":
        return Markup("<span class=bnode>_:{}</span>").format(value.value)
    text = getattr(value, "value", value)
    return escape("" if text is None else str(text))


def cell(value, *, curies) -> Markup:
    """A cell of a saved query's answer (a plain value): a web IRI as a link, anything else as text."""
    if isinstance(value, str) and value.startswith(("http://", "https://")) and not any(c.isspace() for c in value):
        return Markup('<a href="{}">{}</a>').format(href(value), compress(value, curies))
    return escape("" if value is None else str(value))


def text(value, *, curies) -> str:
    """A term's text (an IRI's CURIE of ``curies``), or '' for None."""
    if value is None:
        return ""
    if type(value).__name__ == "NamedNode":
        return compress(value.value, curies)
    return str(getattr(value, "value", value))


def number(value) -> int | float:
    """A numeric literal (or None) as a number, 0 for None."""
    from clkg.tables import value as plain

    found = plain(value)
    return found if isinstance(found, (int, float)) else 0


def highlight(text_value, needle: str) -> Markup:
    """``text_value`` escaped, with every case-insensitive occurrence of ``needle`` marked."""
    text_value = str(getattr(text_value, "value", text_value) or "")
    if not needle:
        return escape(text_value)
    lower, low_needle = text_value.lower(), needle.lower()
    parts, at = [], 0
    while (found := lower.find(low_needle, at)) >= 0:
        parts += [escape(text_value[at:found]), Markup("<mark>"), escape(text_value[found:found + len(needle)]),
                  Markup("</mark>")]
        at = found + len(needle)
    parts.append(escape(text_value[at:]))
    return Markup("").join(parts)


def environment():
    """The Jinja environment of the pages: templates from the package, autoescaping on; the filters
    ``term``, ``cell`` and ``text`` write IRIs with the prefixes of its global ``curies``."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_environment, select_autoescape

    env = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(number=number, href=href, highlight=highlight, **{
        name: pass_environment(lambda env, *args, show=show: show(*args, curies=env.globals["curies"]))
        for name, show in (("term", term), ("cell", cell), ("text", text))})
    env.globals.update(MAX_ROWS=MAX_ROWS, curies=ontology_converter())
    return env
