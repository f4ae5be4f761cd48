"""Any SPARQL 1.1 server, through the SPARQL 1.1 Protocol and, to write, the Graph Store Protocol.

Spec: ``sparql:QUERY_URL`` plus options in the URL's fragment, which is never sent to the server:
``sparql:QUERY_URL#update=URL&gsp=URL&chunk=N&dataset=server``. An option URL may be relative to
QUERY_URL.
``update`` is the SPARQL Update endpoint (default: QUERY_URL); ``gsp`` a Graph Store Protocol
endpoint to write graphs with (default: none, graphs are written with SPARQL Update; but on
Virtuoso, found by the Server header of its answers, its own, see :mod:`clkg.store.virtuoso`;
``gsp=none`` forces SPARQL Update); ``chunk`` the most triples one SPARQL Update request carries
(default 500: Virtuoso refuses an INSERT DATA of a couple of thousand triples); ``dataset`` what
a query reads: ``clkg`` (default) clkg's graphs, named in each request; ``server`` the server's own
default dataset, for a server that holds clkg's graphs only and whose default graph is the union of
its graphs (``oxigraph serve --union-default-graph``): no graph is named, which on a store of
thousands of studies saves each query a request of thousands of graph IRIs, and the server a
dataset of as many graphs to build.

Virtuoso        ``sparql:http://HOST:8890/sparql``  (GRANT SPARQL_UPDATE TO "SPARQL" to write), or
                ``…#dataset=server`` on a Virtuoso of clkg's data only (its default graph is the union
                of its graphs; at 1M triples its plans over a dataset of 663 named graphs lose rows,
                but see the README for two questions that differ with it on the seed data)
Oxigraph server ``sparql:http://HOST:7878/query#update=update&gsp=store`` (``oxigraph serve``), or
                ``…&dataset=server`` (``oxigraph serve --union-default-graph``, a folder of clkg's only)
Fuseki          ``sparql:http://HOST:3030/DATASET`` (the dataset URL takes queries, updates and GSP)
                or ``sparql:http://HOST:3030/DATASET/query#update=update&gsp=data``
GraphDB         ``sparql:http://HOST:7200/repositories/REPO#update=REPO/statements``

Reading. A query is one request: its dataset is given by the protocol's ``default-graph-uri`` and
``named-graph-uri``, one of each per graph of clkg's scope, so other data on the server is never
read (unless ``dataset=server``, when the server's own default dataset is read, and a query during
a write may see the write's staging graphs). The list of those graphs is asked for once per store object (and again after its own
:meth:`SparqlStore.replace_graphs`, by :meth:`SparqlStore.graph_sizes`, and by
:meth:`SparqlStore.refresh` when it is older than :data:`GRAPHS_MAX_AGE` seconds): refresh or open
the store again to see graphs another client has added since. Parameters are bound by a VALUES block
(:func:`clkg.store.binding.bind_values`). Answers are read by pyoxigraph (SPARQL JSON or XML
results, N-Triples or Turtle). A SELECT that the server refuses to sort (Virtuoso 7.2 cannot sort
rows that carry a text of more than about 4,000 characters, a limit compiled into it:
:func:`clkg.store.virtuoso.cannot_sort`) is asked again without its final ORDER BY, and pyoxigraph
sorts the rows in memory by the same conditions, where that gives the same answer
(:func:`clkg.store.binding.final_order_by`: no LIMIT or OFFSET after it, and so on); otherwise the
server's error stands.

Writing. Every graph is first uploaded to a fresh staging graph (``urn:clkg:staging:…``, outside
clkg's scope) by GSP ``PUT`` or by SPARQL Update requests of at most ``chunk`` triples; then ONE
SPARQL Update request swaps them all in (``DROP SILENT GRAPH <g> ; MOVE SILENT GRAPH <staging> TO
GRAPH <g>``). A failure while uploading (unreachable server, size limit, refused data, an exception
from the quads) leaves the store unchanged and the staging graphs are dropped. The swap is atomic
on servers that run one update request as one transaction (Oxigraph, Fuseki, GraphDB/RDF4J);
Virtuoso commits each operation of a request on its own, so there a failure during the swap itself
(a short request of two operations per graph) can leave some graphs replaced and others not.
"""

from collections.abc import Iterable, Mapping

from clkg.errors import StoreError, UsageError
from clkg.namespaces import GRAPH
from clkg.store import Store
from clkg.store.common import GRAPH_SIZES, in_scope, rdf_format, write_rdf

STAGING = "urn:clkg:staging:"
#: seconds: :meth:`SparqlStore.refresh` asks for the list of clkg's graphs again when it is older
GRAPHS_MAX_AGE = 5.0
OPTIONS = ("update", "gsp", "chunk", "dataset")
DATASETS = ("clkg", "server")
_FORM = "application/x-www-form-urlencoded"
ASK_DEFAULT = "ASK { ?s ?p ?o }"


class SparqlStore(Store):
    """A SPARQL 1.1 server: see :class:`clkg.store.Store` for what it does, the module for how.

    :raises UsageError: a malformed spec.
    """

    def __init__(self, location: str, *, read_only: bool = False):
        from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

        from clkg.text import shown

        url, fragment = urldefrag(location)
        options = dict(parse_qsl(fragment, keep_blank_values=True)) if fragment else {}
        unknown = set(options) - set(OPTIONS)
        if unknown or (fragment and not options):
            raise UsageError(f"unknown option {', '.join(sorted(unknown)) or shown(fragment)!r} in store "
                             f"sparql:{shown(location)}: write sparql:QUERY_URL#update=URL&gsp=URL&chunk=N&dataset=server")
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise UsageError(f"store sparql:{shown(location)}: write sparql:http://HOST:PORT/PATH "
                             "(the URL of the SPARQL query endpoint)")
        self.url = url
        self.read_only = read_only
        self.update_url = urljoin(url, options["update"]) if options.get("update") else url
        gsp = options.get("gsp")
        self.gsp_url = urljoin(url, gsp) if gsp and gsp != "none" else None
        self._detect_gsp = not gsp  # Virtuoso: use its GSP endpoint unless told otherwise
        chunk = options.get("chunk") or "500"
        self.chunk = int(chunk) if chunk.isdigit() else 0
        if self.chunk < 1:
            raise UsageError(f"store sparql:{shown(location)}: chunk must be a positive whole number")
        self.dataset = options.get("dataset") or "clkg"
        if self.dataset not in DATASETS:
            raise UsageError(f"store sparql:{shown(location)}: dataset must be one of {', '.join(DATASETS)}")
        self._graphs: list[str] | None = None  # clkg's graphs on the server, once asked for
        self._graphs_at = 0.0  # time.monotonic() when they were asked for
        self._virtuoso: bool | None = None  # whether the server is Virtuoso, once it answered
        self._default_checked = False  # dataset=server: the default graph found to hold clkg's graphs
        self._closed = False

    def __repr__(self) -> str:
        return f"SparqlStore(query={self.url!r}, update={self.update_url!r}, gsp={self.gsp_url!r})"

    # -- reading

    def query(self, sparql: str, *, substitutions: Mapping | None = None):
        """See :meth:`clkg.store.Store.query`. A SELECT that the server cannot sort (Virtuoso's sort
        row is at most about 4 KB, compiled in: SR319 for a row with a longer text) is asked again
        without its final ORDER BY, and its rows are sorted here (:func:`_sorted`), where that keeps
        the answer (:func:`clkg.store.binding.final_order_by`)."""
        from clkg.store.binding import bind_values, final_order_by, query_form
        from clkg.store.virtuoso import cannot_sort

        form = query_form(sparql)
        text = bind_values(sparql, substitutions) if substitutions else sparql
        if self._graphs is None:
            self.graph_sizes()
        graphs = None if self.dataset == "server" else self._graphs or [GRAPH]  # no graph: an empty dataset
        try:
            return self._query(text, form, graphs=graphs)
        except StoreError as err:
            order = final_order_by(text) if form == "SELECT" and cannot_sort(err) else None
            if order is None:
                raise
            try:
                answer = _sorted(self._query(order.unordered, form, graphs=graphs), order)
            except (StoreError, UsageError):
                answer = None
            if answer is None:
                raise err from None
            return answer

    def graph_sizes(self) -> dict[str, int]:
        import time

        sizes = {g.value: int(n.value) for g, n in self._rows(GRAPH_SIZES)}
        if self.dataset == "server" and sizes and not self._default_checked:
            self._default_checked = bool(self._query(ASK_DEFAULT, "ASK"))
            if not self._default_checked:
                raise StoreError(f"the SPARQL endpoint {self.url} holds clkg's graphs but its default graph is "
                                 "empty: with dataset=server its default graph must be the union of its graphs "
                                 "(oxigraph serve --union-default-graph); or leave dataset=server out")
        self._graphs, self._graphs_at = sorted(sizes), time.monotonic()
        return sizes

    def refresh(self) -> bool:
        """The server answers live; only the list of clkg's graphs (each query's dataset) is kept:
        asked for again if older than :data:`GRAPHS_MAX_AGE`; True if it changed."""
        import time

        if self._graphs is None or time.monotonic() - self._graphs_at < GRAPHS_MAX_AGE:
            return False
        before = self._graphs
        self.graph_sizes()
        return self._graphs != before

    def dump(self, output, *, format: str = "ttl", graph: str | None = None) -> None:
        from pyoxigraph import NamedNode, Quad, RdfFormat

        fmt = rdf_format(format)
        sizes = self.graph_sizes()
        quads = []
        for name in [in_scope(graph)] if graph is not None else sorted(sizes):
            rows = self._rows(f"SELECT ?s ?p ?o WHERE {{ GRAPH {NamedNode(name)} {{ ?s ?p ?o }} }}")
            if len(rows) != sizes.get(name, 0):
                raise StoreError(f"the SPARQL endpoint {self.url} returned {len(rows)} of the "
                                 f"{sizes.get(name, 0)} triples of <{name}>: it limits the size of answers")
            quads += [Quad(s, p, o, NamedNode(name)) for s, p, o in rows]
        if graph is not None or fmt is RdfFormat.TURTLE:
            # one graph's triples in the default graph (as the embedded store does), or, in Turtle,
            # which holds one graph, the union of all of them
            write_rdf(output, [q.triple for q in quads], fmt)
        else:
            write_rdf(output, quads, fmt)

    # -- writing

    def replace_graphs(self, graphs: Mapping[str, Iterable]) -> None:
        import uuid
        from urllib.parse import urljoin

        from pyoxigraph import NamedNode, Triple

        from clkg.store.virtuoso import GSP_PATH

        if self.read_only:
            raise UsageError(f"sparql:{self.url} was opened read-only: open it without read_only to write")
        names = {in_scope(graph): NamedNode(graph) for graph in graphs}
        if self._detect_gsp:
            if self._virtuoso is None:
                self.graph_sizes()
            self._detect_gsp = False
            if self._virtuoso:
                self.gsp_url = urljoin(self.url, GSP_PATH)
        token = uuid.uuid4().hex
        staged = []
        swap = []
        try:
            for i, (graph, quads) in enumerate(graphs.items()):
                stage = NamedNode(f"{STAGING}{token}:{i}")
                staged.append(stage)
                self._upload(stage, [Triple(q.subject, q.predicate, q.object) for q in quads])
                swap.append(f"DROP SILENT GRAPH {names[graph]} ;\nMOVE SILENT GRAPH {stage} TO GRAPH {names[graph]}")
            if swap:
                self._update(" ;\n".join(swap))
        except BaseException:
            if staged:
                try:
                    self._update(" ;\n".join(f"DROP SILENT GRAPH {s}" for s in staged))
                except StoreError:
                    pass  # the first error is the one to tell
            raise
        finally:
            self._graphs = None

    def close(self) -> None:
        self._closed = True

    # -- the protocols

    def _query(self, text: str, form: str, *, graphs: list[str] | None = None):
        """The answer to one query; over ``graphs`` (default and named), or the server's dataset."""
        from urllib.parse import urlencode

        from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results

        from clkg.store.http import request
        from clkg.store.virtuoso import allow_headers, check_complete, is_virtuoso, standard_results

        if self._closed:
            raise UsageError(f"{self!r} is closed: open it again with clkg.store.open_store")
        fields = [("query", text)]
        for kind in ("default-graph-uri", "named-graph-uri"):
            fields += [(kind, graph) for graph in graphs or []]
        allow_headers(len(fields))
        triples = form in ("CONSTRUCT", "DESCRIBE")
        accept = ("application/n-triples, text/turtle;q=0.9" if triples else
                  "application/sparql-results+json, application/sparql-results+xml;q=0.9")
        endpoint = f"the SPARQL endpoint {self.url}"
        body, headers = request(self.url, body=urlencode(fields).encode(), content_type=_FORM, accept=accept,
                                endpoint=endpoint, what="query")
        self._virtuoso = is_virtuoso(headers)
        check_complete(headers, endpoint)
        media = (headers.get("content-type") or "").partition(";")[0].strip()
        fmt = (RdfFormat if triples else QueryResultsFormat).from_media_type(media) if media else None
        if fmt is None:
            raise StoreError(f"{endpoint} answered the {form} with {media or 'no media type'}, which clkg cannot read")
        try:
            if triples:
                return iter([quad.triple for quad in parse(body, format=fmt)])
            if self._virtuoso and fmt == QueryResultsFormat.JSON:
                body = standard_results(body)
            parse_query_results(body, format=fmt).serialize(format=QueryResultsFormat.TSV)  # complete?
            return parse_query_results(body, format=fmt)
        except (SyntaxError, ValueError) as err:
            raise StoreError(f"{endpoint} answered with {media} that clkg cannot read: {err}") from None

    def _rows(self, text: str) -> list[tuple]:
        """The rows of a SELECT over the server's own dataset (clkg's scope is in the query)."""
        solutions = self._query(text, "SELECT")
        columns = solutions.variables
        return [tuple(s[c] for c in columns) for s in solutions]

    def _update(self, text: str) -> None:
        from urllib.parse import urlencode

        from clkg.store.http import request

        request(self.update_url, body=urlencode({"update": text}).encode(), content_type=_FORM,
                endpoint=f"the SPARQL endpoint {self.update_url}", what="update")

    def _upload(self, stage, triples: list) -> None:
        from urllib.parse import urlencode

        from pyoxigraph import RdfFormat, serialize

        from clkg.store.http import request
        from clkg.store.virtuoso import chunks

        if self.gsp_url:
            sep = "&" if "?" in self.gsp_url else "?"
            request(f"{self.gsp_url}{sep}{urlencode({'graph': stage.value})}", method="PUT",
                    body=serialize(triples, format=RdfFormat.N_TRIPLES) or b"",
                    content_type="application/n-triples", endpoint=f"the Graph Store endpoint {self.gsp_url}",
                    what="graph upload")
            return
        for chunk, has_bnodes in chunks(triples, self.chunk):
            data = (serialize(chunk, format=RdfFormat.N_TRIPLES) or b"").decode()
            if has_bnodes:  # Virtuoso refuses blank nodes in INSERT DATA; a template keeps them
                self._update(f"INSERT {{ GRAPH {stage} {{\n{data}}} }} WHERE {{ }}")
            else:
                self._update(f"INSERT DATA {{ GRAPH {stage} {{\n{data}}} }}")


def _sorted(solutions, order):
    """``solutions`` sorted as ``order``'s ORDER BY would (:class:`clkg.store.binding.FinalOrder`),
    without the columns it added; None if its conditions name a blank node, which a VALUES block
    cannot hold, or if pyoxigraph cannot evaluate them. pyoxigraph evaluates the conditions over the
    rows in memory (``SELECT ?row WHERE { VALUES (?row ?a …) { (0 …) … } } ORDER BY conditions
    ?row``): SPARQL's ordering as the embedded store applies it (it reads typed literals as it
    stores them, "060"^^xsd:nonNegativeInteger as "60"^^xsd:integer), rows of equal keys in the
    server's order; the rows themselves are the server's, unchanged."""
    import json

    import pyoxigraph
    from pyoxigraph import BlankNode, QueryResultsFormat, parse_query_results

    body = solutions.serialize(format=QueryResultsFormat.JSON)
    rows = list(parse_query_results(body, format=QueryResultsFormat.JSON))
    index = "row"
    while index in order.variables:
        index += "_"
    names = [v for v in order.variables if v in {c.value for c in solutions.variables}]
    values = []
    for i, row in enumerate(rows):
        terms = [row[name] for name in names]
        if any(isinstance(term, BlankNode) for term in terms):
            return None
        values.append(f"({i} {' '.join('UNDEF' if t is None else str(t) for t in terms)})")
    sort = (f"{order.prologue}\nSELECT ?{index} WHERE {{ VALUES (?{index} {' '.join('?' + n for n in names)}) "
            f"{{ {' '.join(values)} }} }}\nORDER BY {order.conditions}\n?{index}")
    try:
        permutation = [int(s[index].value) for s in pyoxigraph.Store().query(sort)]
    except (SyntaxError, ValueError, OSError):
        return None
    answer = json.loads(body)
    answer["head"]["vars"] = [v for v in answer["head"]["vars"] if v not in order.extra]
    bindings = answer["results"]["bindings"]
    answer["results"]["bindings"] = [{k: t for k, t in bindings[i].items() if k not in order.extra}
                                     for i in permutation]
    return parse_query_results(json.dumps(answer).encode(), format=QueryResultsFormat.JSON)
