"""Virtuoso 7's departures from the SPARQL 1.1 protocols, and how :mod:`clkg.store.sparql` copes.

- It names itself in the ``Server`` header; its Graph Store endpoint is :data:`GSP_PATH`, which
  clkg writes through, because its INSERT DATA changes literals: it stores
  ``"1"^^xsd:nonNegativeInteger`` as true when a boolean true is in the same request, and a whole
  xsd:decimal as an xsd:integer; and it refuses INSERT DATA of a couple of thousand triples, or of
  blank nodes (:func:`chunks` shapes the requests when writing by SPARQL Update).
- It echoes every ``default-graph-uri`` and ``named-graph-uri`` as a response header, past
  http.client's limit of 100 headers (:func:`allow_headers`).
- Its SPARQL JSON results may write booleans as ``"1"`` and ``"0"``, and name blank nodes
  ``nodeID://b123``, which is no blank node label (:func:`standard_results`).
- It cuts answers short without an error: at ``ResultSetMaxRows`` rows (``X-SPARQL-MaxRows``) or at
  its time limit (an "anytime" answer, ``X-SQL-State``); :func:`check_complete` makes these errors.
- It cannot sort (ORDER BY without LIMIT) rows that carry a text of more than about 4,000
  characters, such as a long GROUP_CONCAT: a limit compiled into it (SR319,
  :func:`cannot_sort`). The SPARQL store then asks for the rows without the final ORDER BY and
  sorts them itself.
"""

from clkg.errors import StoreError

GSP_PATH = "/sparql-graph-crud"
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def is_virtuoso(headers) -> bool:
    return (headers.get("server") or "").lower().startswith("virtuoso")


def allow_headers(count: int) -> None:
    """Let http.client read answers with ``count`` headers more than usual."""
    import http.client

    http.client._MAXHEADERS = max(http.client._MAXHEADERS, count + 100)


def standard_results(body: bytes) -> bytes:
    """Virtuoso's SPARQL JSON results as the standard has them: each xsd:boolean "1" or "0" written
    "true" or "false", each blank node label made a valid one (the same label, the same node)."""
    import json

    if _BOOLEAN.encode() not in body and b'"bnode"' not in body:
        return body
    answer = json.loads(body)
    for binding in answer.get("results", {}).get("bindings", []):
        for term in binding.values():
            if term.get("type") == "bnode":
                term["value"] = "b" + term.get("value", "").encode().hex()
            elif term.get("datatype") == _BOOLEAN and term.get("value") in ("1", "0"):
                term["value"] = "true" if term["value"] == "1" else "false"
    return json.dumps(answer).encode()


def check_complete(headers, endpoint: str) -> None:
    """:raises StoreError: the answer was cut short."""
    if headers.get("x-sql-state"):
        raise StoreError(f"{endpoint} answered only in part: "
                         f"{headers.get('x-sql-message') or headers['x-sql-state']}")
    limit = headers.get("x-sparql-maxrows")
    if limit:
        raise StoreError(f"{endpoint} cut the answer at {limit} rows "
                         "(Virtuoso: raise ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)")


def cannot_sort(error: StoreError) -> bool:
    """Whether the server refused a query because a row to sort is too long: Virtuoso's ``22026
    Error SR319: Max row length is exceeded when trying to store a string of N chars into a temp
    col``, or the same limit met in a temp column of type ANY, ``SR478: Value of ANY type column
    too long`` (seen on a query's first run after a bulk load); an HTTP 500 whose text clkg's
    error carries."""
    return any(f"Error {code}:" in str(error) for code in ("SR319", "SR478"))


def chunks(triples: list, size: int):
    """Triples in groups of at most ``size`` (more only for one large blank-node structure):
    (triples, has blank nodes). Triples that share blank nodes stay in one group, so that each blank
    node is written by one request; other triples are grouped by the datatype of their object, as
    Virtuoso merges equal values of different datatypes written in one request."""
    from pyoxigraph import BlankNode, Literal

    parent: dict = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for t in triples:
        nodes = [n for n in (t.subject, t.object) if isinstance(n, BlankNode)]
        for n in nodes[1:]:
            parent[root(n)] = root(nodes[0])
    structures: dict = {}
    by_datatype: dict = {}
    for t in triples:
        node = t.subject if isinstance(t.subject, BlankNode) else t.object if isinstance(t.object, BlankNode) else None
        if node is not None:
            structures.setdefault(root(node), []).append(t)
        else:
            datatype = t.object.datatype.value if isinstance(t.object, Literal) and not t.object.language else None
            by_datatype.setdefault(datatype, []).append(t)
    for group in by_datatype.values():
        for i in range(0, len(group), size):
            yield group[i:i + size], False
    batch: list = []
    for group in structures.values():
        if batch and len(batch) + len(group) > size:
            yield batch, True
            batch = []
        batch += group
    if batch:
        yield batch, True
