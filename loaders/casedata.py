"""The case-data format: CSVW table definitions and their mapping to RDF.

The format lives in ``case-data.csv-metadata.json`` (W3C CSV on the Web). This module reads
that file and turns rows of those tables into quads, following the columns' ``aboutUrl``,
``propertyUrl``, ``valueUrl``, ``datatype``, ``required`` and ``separator``. Two conventions
go beyond CSVW: templates are relative to the dataset base, and a ``valueUrl`` of the form
``{+column}`` takes a CURIE whose prefixes are those of the ontology files.
"""

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from urllib.parse import quote

import curies
from pyoxigraph import Literal, NamedNode, Quad

from clkg.prefixes import PREFIX, expand
from clkg.resources import case_data_format
from clkg.text import shown

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PROV_DERIVED = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
DCT_SOURCE = NamedNode("http://purl.org/dc/terms/source")
SOURCE_ROW = NamedNode("https://w3id.org/clkg/ontology#SourceRow")

_VARIABLE = re.compile(r"\{(\+?)([A-Za-z0-9_]+)\}")
_LEXICAL = {  # ASCII digits only: \d would take '２００８' or '٧٨', which no RDF tool reads as a number
    "string": (None, "text"),
    "integer": (r"[+-]?[0-9]+", "a whole number"),
    "nonNegativeInteger": (r"\+?[0-9]+", "a whole number ≥ 0"),
    "decimal": (r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", "a decimal number (e.g. 44 or 1.5)"),
    "boolean": (r"true|false", "true or false"),
    "dateTime": (r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?",
                 "a date and time (ISO 8601, e.g. 2024-03-27T19:29:27Z)"),
}
#: Whole numbers are exact up to here in a spreadsheet (a double) and in SPARQL engines (64 bits).
EXACT_INTEGER = 2**53 - 1
_INTEGERS = {XSD + "integer", XSD + "nonNegativeInteger"}


@dataclass(frozen=True)
class Column:
    """One column of a case-data table, as the CSVW metadata defines it."""

    name: str
    description: str
    datatype: str
    pattern: re.Pattern | None
    bounds: tuple[float, float]
    expected: str
    required: bool
    separator: str | None
    about: str | None
    prop: str
    value: str | None
    virtual: bool
    example: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One table of the format: its file name, subject template, columns and keys."""

    name: str
    description: str
    about: str
    columns: tuple[Column, ...]
    key: str
    references: dict[str, str]  # column -> referenced table

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns if not c.virtual]


def _column(spec: dict) -> Column:
    datatype = spec.get("datatype", "string")
    if isinstance(datatype, str):
        datatype = {"base": datatype}
    base = datatype["base"]
    lexical, expected = _LEXICAL[base]
    fmt = datatype.get("format", lexical)
    if "format" in datatype and base == "string":
        words = fmt.split("|")
        expected = ("one of " + ", ".join(words)) if all(w.isalpha() for w in words) else (
            "an id (letters, digits, - and _ only)")
    expected = datatype.get("dc:description", expected)
    return Column(
        name=spec["name"], description=spec.get("dc:description", ""), datatype=XSD + base,
        pattern=re.compile(fmt, re.ASCII | (re.IGNORECASE if base == "boolean" else 0)) if fmt else None,
        bounds=(datatype.get("minimum", float("-inf")), datatype.get("maximum", float("inf"))),
        expected=expected, required=spec.get("required", False), separator=spec.get("separator"),
        about=spec.get("aboutUrl"), prop=spec["propertyUrl"], value=spec.get("valueUrl"),
        virtual=spec.get("virtual", False), example=spec.get("clkg:example", ""))


@cache
def tables() -> dict[str, TableSpec]:
    """The tables of the case-data format by name (``cases`` for ``cases.csv``)."""
    meta = json.loads(case_data_format().read_text(encoding="utf-8"))
    result = {}
    for table in meta["tables"]:
        schema = table["tableSchema"]
        name = table["url"].removesuffix(".csv")
        refs = {fk["columnReference"]: fk["reference"]["resource"].removesuffix(".csv")
                for fk in schema.get("foreignKeys", [])}
        result[name] = TableSpec(name, table.get("dc:description", ""), schema["aboutUrl"],
                                 tuple(_column(c) for c in schema["columns"]),
                                 schema["primaryKey"][0], refs)
    return result


@dataclass
class Mapping:
    """What is needed to mint IRIs for one dataset."""

    base: str
    graph: NamedNode
    prefixes: curies.Converter

    def iri(self, template: str, row: dict[str, str]) -> str:
        """Expand a URI template against a row and resolve it to an absolute IRI."""
        expanded = _VARIABLE.sub(
            lambda m: row[m[2]] if m[1] else quote(row[m[2]], safe=""), template)
        return self.resolve(expanded)

    def resolve(self, text: str) -> str:
        """An IRI, a CURIE of a known prefix, or a path relative to the dataset base."""
        return expand(text, self.prefixes) or self.base + text

    def concept(self, value: str) -> str:
        """The IRI a concept cell names; raises ValueError when it is not a CURIE or IRI."""
        if value.startswith(("http://", "https://")):
            return value
        prefix, sep, _ = value.partition(":")
        if not sep or not PREFIX.fullmatch(prefix) or re.search(r"[\s,;]", value):
            hint = " (separate several concepts with ';')" if "," in value else ""
            raise ValueError(f"'{shown(value)}' is not a concept: write it as a CURIE, prefix:name{hint}")
        iri = expand(value, self.prefixes)
        if iri is None:
            known = ", ".join(sorted(self.prefixes.prefix_map))
            raise ValueError(f"'{shown(value)}' has an unknown prefix '{shown(prefix)}' (known: {known})")
        return iri


def check_cell(column: Column, text: str) -> str | None:
    """Why a non-empty cell does not fit its column, or None when it fits."""
    if column.pattern is not None and not column.pattern.fullmatch(text):
        return f"'{shown(text)}' is not {column.expected}"
    if column.bounds != (float("-inf"), float("inf")) and not (
            column.bounds[0] <= Decimal(text) <= column.bounds[1]):
        return f"'{shown(text)}' is not {column.expected}"
    if column.datatype in _INTEGERS:
        digits = text.lstrip("+-").lstrip("0")
        if len(digits) > len(str(EXACT_INTEGER)) or int(digits or "0") > EXACT_INTEGER:
            return (f"'{shown(text)}' is too large: whole numbers are taken up to ±{EXACT_INTEGER:,}, "
                    "which spreadsheets and SPARQL engines hold exactly")
    return None


def map_row(table: TableSpec, row: dict[str, str], source_row: NamedNode, study: NamedNode,
            mapping: Mapping) -> tuple[list[Quad], list[tuple[str, str]]]:
    """Quads for one row whose cells are already checked, and (column, message) problems.

    Every non-empty cell yields at least one quad; each subject the row describes is linked to
    the row it came from and to the study.
    """
    quads, problems, subjects = [], [], set()
    g = mapping.graph
    for column in table.columns:
        text = row.get(column.name, "")
        if not column.virtual and text == "":
            continue
        about = NamedNode(mapping.iri(column.about or table.about, row))
        subjects.add(about)
        prop = NamedNode(mapping.resolve(column.prop))
        values = [v.strip() for v in text.split(column.separator)] if column.separator else [text]
        for value in filter(None, values) if not column.virtual else [None]:
            try:
                if column.value is None:
                    obj = Literal(value, datatype=NamedNode(column.datatype))
                elif column.value == "{+%s}" % column.name:
                    obj = NamedNode(mapping.concept(value))
                else:
                    obj = NamedNode(mapping.iri(column.value, {**row, column.name: value} if value else row))
            except ValueError as err:
                problems.append((column.name, str(err)))
                continue
            quads.append(Quad(about, prop, obj, g))
    for subject in subjects:
        quads.append(Quad(subject, PROV_DERIVED, source_row, g))
        if subject != study:
            quads.append(Quad(subject, DCT_SOURCE, study, g))
    quads.append(Quad(source_row, RDF_TYPE, SOURCE_ROW, g))
    return quads, problems
