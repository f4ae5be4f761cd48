"""Parse REFI-QDA XML safely and read its elements by local name.

No DTD is loaded, no entity is resolved and nothing is fetched; a document with a DOCTYPE is
refused (no real export has one). Errors name the file, the line and the element.
"""

import re

from clkg.errors import InputError, Problem

PROJECT_NS = "urn:QDA-XML:project:"
CODEBOOK_NS = "urn:QDA-XML:codebook:"
_PROLOG_DOCTYPE = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.DOTALL)
_DOCTYPE = "has a DOCTYPE, which no REFI-QDA export has; refused (entities and DTDs are never resolved)"


def parse(data: bytes, *, label: str):
    """The root element of an XML document.

    :raises InputError: for XML that is not well-formed, or that has a DOCTYPE.
    """
    from lxml import etree

    if _PROLOG_DOCTYPE.match(data):
        raise InputError([Problem(label, _DOCTYPE)])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, collect_ids=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        line = f"line {err.lineno}: " if err.lineno else ""
        raise InputError([Problem(label, f"{line}is not well-formed XML: {err.msg}")]) from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise InputError([Problem(label, _DOCTYPE)])
    return root


def name(element) -> str:
    """The element's name without its namespace."""
    return element.tag.rsplit("}", 1)[-1]


def namespace(element) -> str:
    return element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""


def children(element, *names: str) -> list:
    """The child elements with one of ``names`` (any namespace), in document order."""
    return [c for c in element if isinstance(c.tag, str) and name(c) in names]


def child(element, tag: str):
    """The first child element named ``tag``, or None."""
    return next(iter(children(element, tag)), None)


def text(element, tag: str) -> str | None:
    """The text of the first child named ``tag`` (None when there is none)."""
    found = child(element, tag)
    return None if found is None else (found.text or "")


def problem(element, label: str, message: str) -> Problem:
    """A problem located at ``element``: its line and name."""
    return Problem(label, f"line {element.sourceline}, element <{name(element)}>: {message}")


def required(element, attribute: str, label: str) -> str:
    """A required attribute's value.

    :raises InputError: when the element lacks it.
    """
    value = element.get(attribute)
    if value is None or not value.strip():
        raise InputError([problem(element, label, f"has no {attribute} attribute, which it needs")])
    return value


def integer(element, attribute: str, label: str) -> int:
    """A required whole-number attribute.

    :raises InputError: when it is missing or not a whole number.
    """
    value = required(element, attribute, label)
    try:
        return int(value.strip())
    except ValueError:
        raise InputError([problem(element, label, f"{attribute}={value!r} is not a whole number")]) from None


def boolean(element, attribute: str, label: str, *, default: bool) -> bool:
    """An xsd:boolean attribute (true/false/1/0), ``default`` when absent.

    :raises InputError: for any other value.
    """
    value = element.get(attribute)
    if value is None:
        return default
    if value.strip() in ("true", "1"):
        return True
    if value.strip() in ("false", "0"):
        return False
    raise InputError([problem(element, label, f"{attribute}={value!r} is not true or false")])
