"""Stores: one string picks where the graph lives, e.g. ``oxigraph:.clkg/store``.

``oxigraph:PATH``
    The embedded store, on disk (the default).
``sparql:QUERY_URL[#update=URL&gsp=URL&chunk=N]``
    Any SPARQL 1.1 server (Virtuoso, Fuseki, GraphDB, ...): see :class:`SparqlStore`.
"""

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from clkg.errors import StoreError, UsageError

DEFAULT_STORE = "oxigraph:.clkg/store"


class OxigraphStore:
    """The embedded store: pyoxigraph on disk."""

    def __init__(self, path: str):
        from pyoxigraph import Store

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._store = Store(str(self.path))

    @property
    def native(self):
        """The underlying ``pyoxigraph.Store`` (pyshacl and pyoxigraph read it directly)."""
        return self._store

    def replace_graphs(self, graphs: Mapping[str, Iterable]) -> None:
        """Replace each named graph by the given quads, all in one transaction."""
        from pyoxigraph import NamedNode, Quad, RdfFormat, Triple, serialize

        names = {graph: NamedNode(graph) for graph in graphs}
        if not any(map(self._store.contains_named_graph, names.values())):
            # nothing to drop: one transactional extend (twice as fast as the update, half the memory)
            self._store.extend(Quad(q.subject, q.predicate, q.object, names[graph])
                               for graph, quads in graphs.items() for q in quads)
            self._store.flush()
            return
        parts = []
        for graph, quads in graphs.items():
            triples = serialize((Triple(q.subject, q.predicate, q.object) for q in quads),
                                format=RdfFormat.N_TRIPLES) or b""
            parts.append(f"DROP SILENT GRAPH <{graph}> ;\n"
                         f"INSERT DATA {{ GRAPH <{graph}> {{\n{triples.decode()}}} }}")
        self._store.update(" ;\n".join(parts))
        self._store.flush()

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each named graph."""
        rows = self._store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"].value: int(row["n"].value) for row in rows}

    def select(self, query: str, *, substitutions: dict | None = None):
        """Run a SELECT over the union of the named graphs; (column names, rows of terms)."""
        solutions = self._store.query(query, use_default_graph_as_union=True,
                                      substitutions=substitutions or None)
        columns = [v.value for v in solutions.variables]
        return columns, [tuple(s[c] for c in columns) for s in solutions]

    def dump(self, output, *, format: str, graph: str | None = None) -> None:
        """Write the store (or one graph) as Turtle, N-Quads or JSON-LD."""
        from pyoxigraph import NamedNode, RdfFormat

        fmt = {"ttl": RdfFormat.TURTLE, "nq": RdfFormat.N_QUADS, "jsonld": RdfFormat.JSON_LD}[format]
        if graph is not None:
            self._store.dump(output, format=fmt, from_graph=NamedNode(graph))
        elif fmt is RdfFormat.TURTLE:  # Turtle holds one graph: the union of all of them
            from pyoxigraph import serialize
            triples = self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            output.write(serialize(triples, format=fmt, prefixes=_prefixes()))
        else:
            self._store.dump(output, format=fmt)

    def close(self) -> None:
        self._store.flush()
        del self._store

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SparqlError(StoreError):
    """A SPARQL server that cannot be reached, or that refused or cut short a request."""


class SparqlStore:
    """Any SPARQL 1.1 server, through the SPARQL 1.1 Protocol (and optionally the Graph Store Protocol).

    Spec: ``sparql:QUERY_URL`` plus options in the URL's fragment, which is never sent to the
    server: ``sparql:QUERY_URL#update=URL&gsp=URL&chunk=N``. An option URL may be relative to
    QUERY_URL. ``update`` is the SPARQL Update endpoint (default: QUERY_URL); ``gsp`` a Graph Store
    Protocol endpoint to write graphs with (default: none, graphs are written with SPARQL Update;
    but on Virtuoso, which names itself in its answers' Server header, its own GSP endpoint
    ``/sparql-graph-crud``, because Virtuoso 7's INSERT DATA changes datatypes of literals: it
    stores "1"^^xsd:nonNegativeInteger as true when a boolean true is in the same request (so
    requests here hold one datatype each) and a whole xsd:decimal as an xsd:integer;
    ``gsp=none`` forces SPARQL Update); ``chunk`` the most triples one SPARQL Update request
    carries (default 500: Virtuoso refuses an INSERT DATA of a couple of thousand triples).

    Virtuoso      ``sparql:http://HOST:8890/sparql``  (GRANT SPARQL_UPDATE TO "SPARQL" to write)
    Fuseki        ``sparql:http://HOST:3030/DATASET`` (the dataset URL takes queries, updates and GSP)
                  or ``sparql:http://HOST:3030/DATASET/query#update=update&gsp=data``
    GraphDB       ``sparql:http://HOST:7200/repositories/REPO#update=REPO/statements``

    Scope: clkg's graphs are the named graphs whose IRI starts with ``https://w3id.org/clkg/graph/``.
    A query sees their RDF merge as its default graph and them as its named graphs (the protocol's
    ``default-graph-uri`` and ``named-graph-uri``, one of each per graph, listed by a first request),
    as on the embedded store, so other data on a shared server (e.g. Virtuoso's own system graphs)
    is never read, exported or counted. (Unlike the embedded store's union, a merge holds a triple
    stated in two graphs once.)

    Writing (:meth:`replace_graphs`): every graph is first uploaded to a fresh staging graph
    (``urn:clkg:staging:…``, outside clkg's scope) by GSP ``PUT`` or by SPARQL Update requests of at
    most ``chunk`` triples; then ONE SPARQL Update request swaps them all in
    (``DROP SILENT GRAPH <g> ; MOVE SILENT GRAPH <staging> TO GRAPH <g>``). A failure while uploading
    (unreachable server, size limit, refused data) leaves the store unchanged and the staging graphs
    are dropped. The swap is atomic on servers that run one update request as one transaction
    (Fuseki, GraphDB/RDF4J); Virtuoso commits each operation of a request on its own, so there a
    failure during the swap itself (a short request of two operations per graph) can leave some
    graphs replaced and others not.
    """

    STAGING = "urn:clkg:staging:"
    OPTIONS = ("update", "gsp", "chunk")

    def __init__(self, location: str, *, update: str | None = None, gsp: str | None = None,
                 chunk: int | None = None):
        from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

        url, fragment = urldefrag(location)
        options = dict(parse_qsl(fragment, keep_blank_values=True)) if fragment else {}
        unknown = set(options) - set(self.OPTIONS)
        if unknown or (fragment and not options):
            raise UsageError(f"unknown option {', '.join(sorted(unknown)) or fragment!r} in store sparql:{location}: "
                             "write sparql:QUERY_URL#update=URL&gsp=URL&chunk=N")
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise UsageError(f"store sparql:{location}: write sparql:http://HOST:PORT/PATH "
                             "(the URL of the SPARQL query endpoint)")
        self.url = url
        update = update or options.get("update")
        gsp = gsp or options.get("gsp")
        self.update_url = urljoin(url, update) if update else url
        self.gsp_url = urljoin(url, gsp) if gsp and gsp != "none" else None
        self._detect_gsp = not gsp  # Virtuoso: use its GSP endpoint unless told otherwise
        chunk = chunk or options.get("chunk") or 500
        try:
            self.chunk = int(chunk)
        except ValueError:
            self.chunk = 0
        if self.chunk < 1:
            raise UsageError(f"store sparql:{location}: chunk must be a positive whole number")

    def __repr__(self) -> str:
        return f"SparqlStore(query={self.url!r}, update={self.update_url!r}, gsp={self.gsp_url!r})"

    # -- reading

    def select(self, query: str, *, substitutions: dict | None = None):
        """Run a SELECT over the union of clkg's graphs; (column names, rows of pyoxigraph terms).

        ``substitutions`` ({Variable: NamedNode or Literal}) are bound by :func:`bind_values`: a
        VALUES block at the start of the outermost group, never by pasting text into the query.
        """
        text = bind_values(query, substitutions) if substitutions else query
        graphs = self._graphs() or [_clkg_graph_base()]  # (no graph: an empty dataset, not the server's)
        columns, rows, _ = self._select(text, default_graphs=graphs, named_graphs=graphs)
        return columns, rows

    def graph_sizes(self) -> dict[str, int]:
        """Triples in each of clkg's named graphs."""
        _, rows, _ = self._select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {_string(_clkg_graph_base())})) }} GROUP BY ?g")
        return {g.value: int(n.value) for g, n in rows}

    def dump(self, output, *, format: str, graph: str | None = None) -> None:
        """Write clkg's graphs (or one of them) as Turtle, N-Quads or JSON-LD."""
        from pyoxigraph import NamedNode, Quad, RdfFormat, Triple, serialize

        fmt = {"ttl": RdfFormat.TURTLE, "nq": RdfFormat.N_QUADS, "jsonld": RdfFormat.JSON_LD}[format]
        sizes = self.graph_sizes()
        graphs = [graph] if graph is not None else sorted(sizes)
        bnodes: dict[str, object] = {}  # one blank node per server label across the whole dump
        quads = []
        for name in graphs:
            _, rows, _ = self._select(f"SELECT ?s ?p ?o WHERE {{ GRAPH {_iri(name)} {{ ?s ?p ?o }} }}",
                                      bnodes=bnodes)
            if len(rows) != sizes.get(name, 0):
                raise SparqlError(f"the SPARQL endpoint {self.url} returned {len(rows)} of the "
                                  f"{sizes.get(name, 0)} triples of <{name}>: it limits the size of answers")
            quads += [Quad(s, p, o, NamedNode(name)) for s, p, o in rows]
        if graph is not None or fmt is RdfFormat.TURTLE:
            # one graph's triples in the default graph (as the embedded store does), or, in Turtle,
            # which holds one graph, the union of all of them
            data = [Triple(q.subject, q.predicate, q.object) for q in quads]
        else:
            data = quads
        kwargs = {"prefixes": _prefixes()} if fmt is RdfFormat.TURTLE else {}
        output.write(serialize(data, format=fmt, **kwargs) or b"")

    # -- writing

    def replace_graphs(self, graphs: Mapping[str, Iterable]) -> None:
        """Replace each named graph by the given quads: staged first, then swapped in by one request."""
        import uuid
        from urllib.parse import urljoin

        from pyoxigraph import Triple

        if self._detect_gsp:
            self._detect_gsp = False
            _, _, headers = self._select("SELECT ?nothing WHERE { } LIMIT 0")
            if (headers.get("server") or "").lower().startswith("virtuoso"):
                self.gsp_url = urljoin(self.url, "/sparql-graph-crud")
        token = uuid.uuid4().hex
        staged: dict[str, str] = {}
        swap = []
        try:
            for i, (graph, quads) in enumerate(graphs.items()):
                target = _iri(graph)
                stage = f"{self.STAGING}{token}:{i}"
                staged[graph] = stage
                self._upload(stage, [Triple(q.subject, q.predicate, q.object) for q in quads])
                swap.append(f"DROP SILENT GRAPH {target} ;\nMOVE SILENT GRAPH <{stage}> TO GRAPH {target}")
            if swap:
                self._update(" ;\n".join(swap))
        except BaseException:
            if staged:
                try:
                    self._update(" ;\n".join(f"DROP SILENT GRAPH <{s}>" for s in staged.values()))
                except Exception:
                    pass
            raise

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the protocols

    def _graphs(self) -> list[str]:
        _, rows, _ = self._select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {_string(_clkg_graph_base())})) }}")
        return sorted(row[0].value for row in rows)

    def _client(self, text: str, *, update: bool = False):
        import warnings

        from SPARQLWrapper import INSERT, JSON, POST, SELECT, SPARQLWrapper

        client = SPARQLWrapper(self.url, updateEndpoint=self.update_url, returnFormat=JSON)
        client.setMethod(POST)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            client.setQuery(text)
        # SPARQLWrapper guesses the kind of request from the first keyword-like word it finds, which
        # can be a variable (?construct, ?load): say what it is, so that a query is never sent as an
        # update nor an update as a query
        client.queryType = INSERT if update else SELECT
        return client

    def _select(self, text: str, *, default_graphs: list[str] | None = None,
                named_graphs: list[str] | None = None, bnodes: dict | None = None):
        import http.client

        client = self._client(text)
        # Virtuoso echoes each default-graph-uri and named-graph-uri as a response header, and
        # http.client refuses a response with more than 100 headers
        graphs = len(default_graphs or []) + len(named_graphs or [])
        http.client._MAXHEADERS = max(http.client._MAXHEADERS, graphs + 100)
        for graph in default_graphs or []:
            client.addParameter("default-graph-uri", graph)
        for graph in named_graphs or []:
            client.addParameter("named-graph-uri", graph)
        result = self._call(client, self.url, "query")
        try:
            headers = result.info()
            answer = result.convert()
        finally:
            result.response.close()
        if not isinstance(answer, dict) or "results" not in answer:
            raise SparqlError(f"the SPARQL endpoint {self.url} did not answer with SPARQL JSON results")
        columns = answer.get("head", {}).get("vars", [])
        bnodes = {} if bnodes is None else bnodes
        rows = [tuple(_term(b.get(c), bnodes) for c in columns) for b in answer["results"].get("bindings", [])]
        if headers.get("x-sql-state"):  # Virtuoso's "anytime" answer: cut short by a time limit
            raise SparqlError(f"the SPARQL endpoint {self.url} answered only in part: "
                              f"{headers.get('x-sql-message') or headers['x-sql-state']}")
        limit = headers.get("x-sparql-maxrows")
        if limit and limit.isdigit() and len(rows) >= int(limit):
            raise SparqlError(f"the SPARQL endpoint {self.url} cut the answer at {limit} rows "
                              "(Virtuoso: raise ResultSetMaxRows in the [SPARQL] section of virtuoso.ini)")
        return columns, rows, headers

    def _update(self, text: str) -> None:
        client = self._client(text, update=True)
        result = self._call(client, self.update_url, "update")
        result.response.close()

    def _upload(self, stage: str, triples: list) -> None:
        from pyoxigraph import RdfFormat, serialize

        if self.gsp_url:
            body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
            self._put(stage, body)
            return
        for chunk, has_bnodes in _chunks(triples, self.chunk):
            data = (serialize(chunk, format=RdfFormat.N_TRIPLES) or b"").decode()
            if has_bnodes:  # Virtuoso refuses blank nodes in INSERT DATA; a template keeps them
                self._update(f"INSERT {{ GRAPH <{stage}> {{\n{data}}} }} WHERE {{ }}")
            else:
                self._update(f"INSERT DATA {{ GRAPH <{stage}> {{\n{data}}} }}")

    def _put(self, graph: str, body: bytes) -> None:
        import urllib.error
        import urllib.request
        from urllib.parse import urlencode

        sep = "&" if "?" in self.gsp_url else "?"
        request = urllib.request.Request(f"{self.gsp_url}{sep}{urlencode({'graph': graph})}", data=body,
                                         method="PUT", headers={"Content-Type": "application/n-triples"})
        try:
            with urllib.request.urlopen(request) as response:
                response.read()
        except urllib.error.HTTPError as err:
            raise SparqlError(f"the Graph Store endpoint {self.gsp_url} refused to store a graph "
                              f"(HTTP {err.code}): {_body(err.read())}{_hint(err.code, '')}") from None
        except (urllib.error.URLError, OSError) as err:
            raise SparqlError(f"cannot reach the Graph Store endpoint {self.gsp_url}: "
                              f"{getattr(err, 'reason', err)}") from None

    @staticmethod
    def _call(client, url: str, what: str):
        import urllib.error

        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        try:
            return client.query()
        except SPARQLWrapperException as err:
            status = getattr(err.__context__, "code", None)
            body = _body(str(err).partition("\n\nResponse:\n")[2])
            raise SparqlError(f"the SPARQL endpoint {url} refused the {what}"
                              f"{f' (HTTP {status})' if status else ''}: {body}{_hint(status, body)}") from None
        except urllib.error.HTTPError as err:
            raise SparqlError(f"the SPARQL endpoint {url} refused the {what} (HTTP {err.code}): "
                              f"{_body(err.read())}{_hint(err.code, '')}") from None
        except (urllib.error.URLError, OSError) as err:
            raise SparqlError(f"cannot reach the SPARQL endpoint {url}: {getattr(err, 'reason', err)}") from None


def _clkg_graph_base() -> str:
    from clkg.namespaces import GRAPH
    return GRAPH


def _body(data) -> str:
    """A server's error message, readable and short."""
    import ast

    if isinstance(data, str):
        try:
            data = ast.literal_eval(data) if data.startswith(("b'", 'b"')) else data
        except (ValueError, SyntaxError):
            pass
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    text = " ".join(str(data).split())
    return text[:600] + (" …" if len(text) > 600 else "")


def _hint(status, body: str) -> str:
    if status in (401, 403) or "permission" in body.lower() or "SECURITY" in body:
        return (" — the endpoint does not let clkg write: allow updates for it (Virtuoso: "
                "GRANT SPARQL_UPDATE TO \"SPARQL\"; in isql), or name a writable endpoint with #update=/#gsp=")
    return ""


def _chunks(triples: list, size: int):
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


def _term(binding: dict | None, bnodes: dict):
    """A SPARQL JSON results term as a pyoxigraph term (None if unbound)."""
    from pyoxigraph import BlankNode, Literal, NamedNode

    if binding is None:
        return None
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return NamedNode(value)
    if kind == "bnode":
        return bnodes.setdefault(value, BlankNode())
    if kind in ("literal", "typed-literal"):
        if binding.get("xml:lang"):
            return Literal(value, language=binding["xml:lang"])
        datatype = binding.get("datatype")
        if datatype == _XSD_BOOLEAN and value in ("1", "0"):  # Virtuoso writes booleans as 1 and 0
            value = "true" if value == "1" else "false"
        if datatype:
            return Literal(value, datatype=NamedNode(datatype))
        return Literal(value)
    raise SparqlError(f"a SPARQL answer holds a term clkg cannot read: {binding!r}")


_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

# -- binding parameters

_BAD_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_LANG = re.compile(r"[A-Za-z]+(-[A-Za-z0-9]+)*")
_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_TOKEN = re.compile(r'''
    (?P<comment>\#[^\n\r]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<word>[A-Za-z_][\w.-]*(?::[\w.:%-]*)?|:[\w.:%-]*)
  | (?P<open>[({])
  | (?P<close>[)}])
  | (?P<other>.)
''', re.X | re.S)


def _iri(value: str) -> str:
    if not value or _BAD_IRI.search(value) or ":" not in value:
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def _string(text: str) -> str:
    return '"' + "".join(_ECHAR.get(c, c) for c in text) + '"'


def sparql_term(term) -> str:
    """An IRI or literal written as SPARQL, escaped so that no value can end the term early."""
    from pyoxigraph import Literal, NamedNode

    if isinstance(term, NamedNode):
        return _iri(term.value)
    if isinstance(term, Literal):
        if term.language:
            if not _LANG.fullmatch(term.language):
                raise ValueError(f"not a language tag: {term.language!r}")
            return _string(term.value) + "@" + term.language
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return _string(term.value)
        return _string(term.value) + "^^" + _iri(term.datatype.value)
    raise ValueError(f"only IRIs and literals can be bound to a query variable, not {term!r}")


def bind_values(query: str, substitutions: dict) -> str:
    """The SELECT ``query`` with ``substitutions`` ({Variable: term}) bound by a VALUES block.

    The block, ``VALUES (?a ?b) { (<iri> "text") }``, goes right after the ``{`` that opens the
    outermost WHERE group, which makes that group ``Join(VALUES, rest of the group)``. For a
    variable that the group binds with triple patterns or property paths, or that is used in its
    FILTERs (EXISTS included), OPTIONALs or in sub-SELECTs that project it, this gives the same
    solutions as substituting the value (SPARQL SEP-0007) and as pyoxigraph's ``substitutions``
    (which joins the same way: checked for the saved queries, whose parameters are all used so).
    It differs only where a value would be substituted into a scope the outer group cannot reach:
    a nested group's own FILTER, MINUS, a sub-SELECT that does not project the variable, or a
    BIND that assigns it. The terms are written by :func:`sparql_term`: an IRI containing any of
    ``<>"{}|^`\\`` or white space is refused, and a literal's text is escaped, so a value can only
    ever be one term.
    """
    names, values = [], []
    for variable, term in substitutions.items():
        name = getattr(variable, "value", variable)
        if not isinstance(name, str) or not _VARNAME.fullmatch(name):
            raise ValueError(f"not a variable name: {name!r}")
        names.append(f"?{name}")
        values.append(sparql_term(term))
    block = f" VALUES ({' '.join(names)}) {{ ({' '.join(values)}) }} "
    form, depth = None, 0
    for token in _TOKEN.finditer(query):
        kind, text = token.lastgroup, token.group()
        if kind == "word" and form is None and text.upper() in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
            form = text.upper()
        elif kind == "open" and text == "{" and depth == 0 and form is not None:
            if form != "SELECT":
                break
            return query[:token.end()] + block + query[token.end():]
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
    raise ValueError("parameters can only be bound in a SELECT query with a WHERE group")


SCHEMES = {"oxigraph": OxigraphStore, "sparql": SparqlStore}


def open_store(spec: str | None = None, *, read_only: bool = False):
    """Open the store a spec names (``scheme:location``); default: $CLKG_STORE or ``oxigraph:.clkg/store``."""
    spec = spec or os.environ.get("CLKG_STORE") or DEFAULT_STORE
    scheme, sep, location = spec.partition(":")
    if not sep or scheme not in SCHEMES or not location:
        raise UsageError(f"unknown store {spec!r}: write it as oxigraph:PATH (the embedded store) "
                         "or sparql:URL (a SPARQL 1.1 server's query endpoint)")
    if read_only and scheme == "oxigraph" and not Path(location).exists():
        from clkg.errors import StoreMissing
        raise StoreMissing(f"no clkg store at {location}: run `clkg build` or `clkg load` first")
    return SCHEMES[scheme](location)


def _prefixes() -> dict[str, str]:
    from clkg.vocabulary import prefixes
    return prefixes()
