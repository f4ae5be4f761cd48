"""Prefixes and CURIEs: one converter (the ``curies`` package) for everything clkg reads and writes.

The prefixes are those the ontology files declare, plus each study's own prefix (column ``prefix``
of study.csv), which a store records on the study's concept scheme as
``vann:preferredNamespacePrefix`` / ``vann:preferredNamespaceUri``.
"""

import re
import weakref
from collections.abc import Mapping
from functools import cache

import curies

VANN = "http://purl.org/vocab/vann/"
#: A prefix as clkg accepts it in case data (a letter, then letters, digits, '-' and '_').
PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_IRI_IN_TEXT = re.compile(r"<(https?://[^\s<>\"]+)>|https?://[^\s<>\"'{}|^`\\)]+")


@cache
def _ontology_converter() -> curies.Converter:
    from clkg.vocabulary import prefixes

    return curies.Converter.from_prefix_map({p: ns for p, ns in prefixes().items() if p})


def converter(extra: Mapping[str, str] | None = None) -> curies.Converter:
    """The ontology's prefixes, plus ``extra`` ({prefix: namespace}, e.g. the studies' own).

    A prefix or namespace the ontology names keeps the ontology's meaning; a namespace that
    ``extra`` names twice keeps its later prefix (a study that changed its prefix).
    """
    base = _ontology_converter()
    if not extra:
        return base
    known = base.prefix_map
    taken = set(known.values())
    # one prefix per namespace: the ontology's, else the last one ``extra`` gives it
    own = {ns: p for p, ns in extra.items() if p not in known and ns not in taken}
    # not strict: the prefixes and namespaces are unique already, and curies' check of that
    # compares every pair of prefixes (seconds per converter with thousands of studies)
    return curies.Converter.from_prefix_map({**known, **{p: ns for ns, p in own.items()}}, strict=False)


def expand(text: str, conv: curies.Converter) -> str | None:
    """The IRI a CURIE names, the text itself if it is an http(s)/urn IRI, else None."""
    if text.startswith(("http://", "https://", "urn:")):
        return text
    prefix, sep, local = text.partition(":")
    if not sep or not PREFIX.fullmatch(prefix):
        return None
    namespace = namespaces(conv).get(prefix)
    return None if namespace is None else namespace + local


_NAMESPACES: "weakref.WeakKeyDictionary[curies.Converter, dict[str, str]]" = weakref.WeakKeyDictionary()


def namespaces(conv: curies.Converter) -> dict[str, str]:
    """The converter's {prefix: namespace}, computed once per converter (curies builds it anew on
    every expansion, which costs a dataset of 2,000 cells 0.6 s with 300 study prefixes)."""
    found = _NAMESPACES.get(conv)
    if found is None:
        found = _NAMESPACES[conv] = dict(conv.prefix_map)
    return found


def compress(iri: str, conv: curies.Converter) -> str:
    """A CURIE for ``iri`` where a prefix covers it, else the IRI unchanged."""
    return conv.compress(iri, passthrough=True)


def shorten_iris(text: str, conv: curies.Converter) -> str:
    """``text`` with every http(s) IRI in it written as a CURIE where a prefix covers it
    (without the angle brackets it may stand in)."""
    def short(match: re.Match) -> str:
        iri = match[1] or match[0]
        curie = compress(iri, conv)
        return match[0] if curie == iri else curie
    return _IRI_IN_TEXT.sub(short, text)


STORE_PREFIXES = f"""SELECT ?prefix ?namespace WHERE {{
  ?scheme <{VANN}preferredNamespacePrefix> ?prefix ; <{VANN}preferredNamespaceUri> ?namespace }}"""


def store_prefixes(store) -> dict[str, str]:
    """{prefix: namespace} of the studies' own concept schemes in a store."""
    _, rows = store.select(STORE_PREFIXES)
    return {prefix.value: namespace.value for prefix, namespace in rows}
