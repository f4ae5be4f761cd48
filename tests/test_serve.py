"""`clkg serve` over HTTP: pages, IRIs, saved questions, downloads, /sparql, plots, limits, safety.

The server runs as a user starts it (`clkg serve`, a subprocess on a free loopback port) over a
store built from the seed data by the command line, with two more studies loaded into it: the
INVENTED tests/fixtures/invented-inter-clustering (its own codebook and CURIE prefix) and a
synthetic QualCoder project imported with `clkg import` (quotations at offsets in transcripts).
What the tests expect is read from the store before the server starts, from those studies' CSV
files, or from `clkg query` and `clkg compare` run on a copy of the store; nothing here names a
seed study, case or concept.
"""

import csv
import html
import http.client
import json
import re
import shutil
import signal
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, urlencode, urlsplit

import pyoxigraph
import pytest

from refi_projects import qualcoder
from support import PREFIXES, ROOT, cli_built_store, run_clkg, select
from web_server import fetch, served

from clkg.saved_queries import saved_queries
from clkg.tables import FORMATS

SITE = "https://w3id.org/clkg/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SVG = "{http://www.w3.org/2000/svg}"
TIMEOUT = 4  # seconds: the server's time limit in these tests
THIRD = ROOT / "tests" / "fixtures" / "invented-inter-clustering"  # a study beside the seed data


def gather(path) -> dict:
    """Facts about the built store, to check the pages against."""
    from clkg.store import open_store

    store = open_store(f"oxigraph:{path}", read_only=True)
    try:
        facts = {"sizes": store.graph_sizes()}
        facts["studies"] = select(store, "SELECT ?study ?title WHERE { ?study a clkg:Study ; dcterms:title ?title }")
        facts["finding"] = select(store, """
            SELECT ?finding ?statement (COUNT(DISTINCT ?q) AS ?n) WHERE {
              ?finding a clkg:Finding ; clkg:statement ?statement ; clkg:hasEvidence|^clkg:supports ?q }
            GROUP BY ?finding ?statement ORDER BY DESC(?n) ?finding LIMIT 1""")[0]
        facts["evidence"] = select(store, f"""
            SELECT ?q ?text ?locator ?code ?printed ?study WHERE {{
              <{facts['finding']['finding']}> clkg:hasEvidence|^clkg:supports ?q .
              ?q oa:exact ?text ; clkg:locator ?locator ; dcterms:source ?study .
              OPTIONAL {{ ?q clkg:spokenBy/clkg:informantCode ?code }}
              OPTIONAL {{ ?q clkg:spokenBy/clkg:roleLabel ?printed }} }}""")
        # the concept with the most evidence that also has an alignment and a broader or narrower concept
        facts["concept"] = select(store, """
            SELECT ?concept ?label ?definition (COUNT(DISTINCT ?f) AS ?findings) WHERE {
              ?concept skos:prefLabel ?label ; skos:definition ?definition .
              ?m owl:annotatedSource|owl:annotatedTarget ?concept .
              ?concept skos:broader|^skos:broader|skos:related|^skos:related ?other .
              ?f a clkg:Finding ; dcterms:subject ?concept }
            GROUP BY ?concept ?label ?definition ORDER BY DESC(?findings) ?concept LIMIT 1""".replace(
            "SELECT", "PREFIX owl: <http://www.w3.org/2002/07/owl#>\nSELECT"))[0]
        concept = facts["concept"]["concept"]
        facts["concept"]["quotations"] = len(select(store, f"SELECT DISTINCT ?q WHERE {{ ?q a clkg:Quotation . "
                                                           f"{{ ?q dcterms:subject <{concept}> }} UNION "
                                                           f"{{ ?q clkg:supports/dcterms:subject <{concept}> }} }}"))
        facts["concept"]["related"] = {r["l"] for r in select(store, f"""
            SELECT ?l WHERE {{ <{concept}> skos:broader|^skos:broader|skos:related|^skos:related ?o .
                               ?o skos:prefLabel ?l }}""")}
        facts["concept"]["aligned"] = {r["l"] for r in select(store, f"""
            SELECT ?l WHERE {{ ?m <http://www.w3.org/2002/07/owl#annotatedSource>|<http://www.w3.org/2002/07/owl#annotatedTarget> <{concept}> ;
                                  <http://www.w3.org/2002/07/owl#annotatedSource>|<http://www.w3.org/2002/07/owl#annotatedTarget> ?o .
                               FILTER(?o != <{concept}>) ?o skos:prefLabel ?l }}""")}
        # one resource of every class that clkg's own IRIs have, and what it says
        facts["kinds"] = select(store, f"""
            SELECT ?class (MIN(STR(?s)) AS ?iri) WHERE {{ ?s a ?class
              FILTER(STRSTARTS(STR(?s), "{SITE}") && !CONTAINS(STR(?s), "#") && ?s != <{SITE}ontology>) }}
            GROUP BY ?class ORDER BY ?class""")
        for kind in facts["kinds"]:
            kind["triples"] = {(r["p"], r["o"]) for r in select(store, f"SELECT ?p ?o WHERE {{ <{kind['iri']}> ?p ?o }}")}
        facts["row"] = select(store, """SELECT ?row WHERE { ?row a clkg:SourceRow } ORDER BY ?row LIMIT 1""")[0]["row"]
        facts["quotations"] = int(select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?q a clkg:Quotation }")[0]["n"])
        facts["classes"] = {r["c"]: int(r["n"]) for r in select(store, """
            SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(STRSTARTS(STR(?c), STR(clkg:))) } GROUP BY ?c""")}
        facts["findings"] = int(select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?f a clkg:Finding }")[0]["n"])
    finally:
        store.close()
    return facts


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    path = cli_built_store(folder / "store")
    imported = folder / "imported-study"
    result = run_clkg("import", qualcoder(folder).path, "-o", imported)
    assert result.returncode == 0, result.stderr
    loaded = run_clkg("--store", f"oxigraph:{path}", "load", THIRD, imported)
    assert loaded.returncode == 0, loaded.stderr
    facts = gather(path)
    shutil.copytree(path, folder / "copy")  # for the command line while the server holds the store
    with served(f"oxigraph:{path}", folder / "serve.log", "--timeout", str(TIMEOUT), "--max-result", "1") as server:
        yield SimpleNamespace(url=server.url, facts=facts, copy=folder / "copy", server=server, imported=imported)
        assert "Traceback" not in server.output(), server.output()  # no error was a bug


def clkg(seed, *args) -> str:
    result = run_clkg("--store", f"oxigraph:{seed.copy}", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def clkg_bytes(seed, folder, *args) -> bytes:
    """What the command writes with ``-o FILE`` (as it is: CSV keeps its \\r\\n)."""
    out = folder / "answer"
    clkg(seed, *args, "-o", out)
    return out.read_bytes()


def path(iri: str) -> str:
    assert iri.startswith(SITE)
    return iri[len(SITE):]


class Texts(HTMLParser):
    """The text of every element of one tag (e.g. blockquote), or of one tag and class, of a page."""

    def __init__(self, tag: str, kind: str | None = None):
        super().__init__()
        self.tag, self.kind, self.depth, self.found = tag, kind, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == self.tag and (self.depth or self.kind is None or self.kind in (dict(attrs).get("class") or "").split()):
            self.depth += 1
            if self.depth == 1:
                self.found.append("")

    def handle_endtag(self, tag):
        if tag == self.tag and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1] += data


def texts(page: str, tag: str, kind: str | None = None) -> list[str]:
    parser = Texts(tag, kind)
    parser.feed(page)
    return parser.found


def parse_rdf(body: bytes, fmt) -> set:
    return {(t.subject, t.predicate, t.object) for t in pyoxigraph.parse(body, format=fmt)}


# -- pages a researcher browses

def test_studies_page_lists_every_study_with_its_page(seed):
    page = fetch(seed.url + "studies")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert seed.facts["studies"]
    for study in seed.facts["studies"]:
        assert study["title"] in html.unescape(page.text)
        assert f'href="/{path(study["study"])}"' in page.text
    assert fetch(seed.url).status == 200  # / leads to the studies
    assert fetch(seed.url + "studies?page=1").text == page.text
    for bad in ("0", "2", "x", "-1", "%C2%B2"):  # the seed store's studies fit on one page (² is a digit too)
        answer = fetch(seed.url + f"studies?page={bad}")
        assert answer.status == 404 and "there are 1 (page=1 to 1)" in html.unescape(answer.text), bad


def test_a_study_with_several_frameworks_and_authors_is_one_row():
    from pyoxigraph import Literal, NamedNode

    from clkg.web.pages import by_study

    def row(study, framework, authors):
        return {"study": NamedNode(study), "title": Literal(study), "authors": authors and Literal(authors),
                "framework": framework and NamedNode(framework), "frameworkLabel": framework and Literal(framework[-1])}
    rows = [row("https://e.org/s1", "https://e.org/f1", "A"), row("https://e.org/s1", "https://e.org/f2", "A"),
            row("https://e.org/s1", "https://e.org/f1", "B"), row("https://e.org/s2", None, None)]
    one, two = by_study(rows)
    assert one["study"].value == "https://e.org/s1" and two["study"].value == "https://e.org/s2"
    assert [f.value for f, _ in one["frameworks"]] == ["https://e.org/f1", "https://e.org/f2"]
    assert [a.value for a in one["authors"]] == ["A", "B"]
    assert two["frameworks"] == [] and two["authors"] == []


def _table(dataset, table: str) -> list[dict]:
    with open(dataset / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _third(table: str) -> list[dict]:
    return _table(THIRD, table)


def test_an_imported_quotation_shows_where_it_lies_in_its_transcript(seed):
    from clkg.namespaces import dataset_base

    [study] = _table(seed.imported, "study")
    placed = [q for q in _table(seed.imported, "quotations") if q["transcript"]]
    assert placed
    base = dataset_base(study["study_id"])
    labels = {t["transcript_id"]: t for t in _table(seed.imported, "transcripts")}
    study_page = fetch(seed.url + path(base + "study")).text
    for quotation in placed:
        page = fetch(seed.url + path(f"{base}quotation/{quotation['quotation_id']}")).text
        [shown] = texts(page, "p", "position")
        assert " ".join(shown.split()).startswith(f"Characters {quotation['start']}–{quotation['end']} of the transcript")
        assert f'href="/{path(base)}transcript/{quotation["transcript"]}"' in page
        assert labels[quotation["transcript"]]["name"] in shown  # its label
        assert f"characters {quotation['start']}–{quotation['end']} of" in study_page


def test_a_third_study_shows_with_its_own_concepts_and_their_curies(seed):
    [study] = _third("study")
    own = [c for c in _third("concepts") if not c["scheme"]]  # its own codebook (an empty scheme)
    assert own and study["prefix"]
    from clkg.namespaces import concept_namespace, dataset_base

    iri, namespace = dataset_base(study["study_id"]) + "study", concept_namespace(study["study_id"])
    scheme, curies = namespace + "scheme", [f"{study['prefix']}:{c['concept_id']}" for c in own]

    page = html.unescape(fetch(seed.url + "studies").text)
    assert study["title"] in page and f'href="/{path(iri)}"' in page
    assert f'href="/{path(scheme)}"' in page  # its framework

    page = fetch(seed.url + path(scheme))
    assert page.status == 200
    assert f"Concepts ({len(own)})" in page.text
    assert set(texts(page.text, "code")) >= {f"{study['prefix']}:scheme", *curies}
    assert set(texts(page.text, "a")) >= {c["label"] for c in own}
    for concept in own:
        assert f'href="/{path(namespace)}{concept["concept_id"]}"' in page.text

    name = "concepts"  # a saved question whose parameter is a scheme
    assert f"{study['prefix']}:scheme" in _options(fetch(seed.url + f"questions/{name}").text, "scheme")
    page = fetch(seed.url + f"questions/{name}?" + urlencode({"scheme": f"{study['prefix']}:scheme"})).text
    assert set(curies) <= set(texts(page, "a"))  # each concept a link that shows its CURIE
    expected = json.loads(clkg(seed, "query", name, "--param", f"scheme={study['prefix']}:scheme", "--format", "json"))
    assert sorted(r["concept"] for r in expected) == sorted(curies)
    assert len(re.findall(r"<tr><td>", page)) == len(expected)


def test_no_page_lists_a_row_twice(seed):
    """The default graph is the union of the graphs, the inferred ones too: a triple stated in one
    graph and entailed in another must not make a list show the same row twice."""
    paths = ["studies", path(seed.facts["finding"]["finding"]), path(seed.facts["concept"]["concept"])]
    paths += [path(kind["iri"]) for kind in seed.facts["kinds"]]
    for where in paths:
        page = fetch(seed.url + where).text
        for body in re.findall(r"<tbody>(.*?)</tbody>", page, re.S):
            rows = re.findall(r"<tr>.*?</tr>", body, re.S)
            assert len(rows) == len(set(rows)), where
        figures = re.findall(r'<figure class="quotation">.*?</figure>', page, re.S)
        assert len(figures) == len(set(figures)), where


def test_finding_page_shows_every_quotation_behind_it(seed):
    finding = seed.facts["finding"]
    page = fetch(seed.url + path(finding["finding"])).text
    assert finding["statement"] in [t.strip() for t in texts(page, "h1")]
    evidence = seed.facts["evidence"]
    assert len(evidence) == int(finding["n"]) >= 1
    assert sorted(texts(page, "blockquote")) == sorted(q["text"] for q in evidence)
    captions = " ".join(texts(page, "figcaption"))
    for quotation in evidence:
        assert quotation["locator"] in captions
        assert (quotation["code"] or quotation["printed"]) in captions
        assert f'href="/{path(quotation["q"])}"' in page
    assert f"Quotations behind it ({len(evidence)})" in page


def test_concept_page_shows_definition_relations_alignments_and_evidence(seed):
    concept = seed.facts["concept"]
    page = fetch(seed.url + path(concept["concept"])).text
    assert concept["label"] in texts(page, "h1")
    assert concept["definition"] in texts(page, "p")
    shown = set(texts(page, "a"))
    assert concept["related"] <= shown and concept["aligned"] <= shown
    assert f"Findings that use it ({concept['findings']})" in page
    assert f"Quotations that use it ({concept['quotations']})" in page


def test_search_finds_a_quotation_by_a_word_of_its_text(seed):
    quotation = seed.facts["evidence"][0]
    word = max(re.findall(r"[A-Za-z]{5,}", quotation["text"]), key=len)
    page = fetch(seed.url + "search?" + urlencode({"q": word.upper()})).text
    assert f'href="/{path(quotation["q"])}"' in page
    assert "<mark>" in page
    assert fetch(seed.url + "search?" + urlencode({"q": "<b>nothing"})).text.count("&lt;b&gt;nothing") >= 1


# -- IRIs that resolve

def test_every_kind_of_clkg_iri_has_a_page_and_a_description(seed):
    assert len(seed.facts["kinds"]) >= 10
    for kind in seed.facts["kinds"]:
        url = seed.url + path(kind["iri"])
        page = fetch(url, accept="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        assert page.status == 200 and page.headers["content-type"].startswith("text/html"), kind
        assert kind["iri"] in page.text
        expected = {(pyoxigraph.NamedNode(kind["iri"]), p, o) for p, o in kind["triples"]}
        for media, fmt in (("text/turtle", pyoxigraph.RdfFormat.TURTLE),
                           ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD)):
            answer = fetch(url, accept=media)
            assert answer.status == 200 and answer.headers["content-type"].startswith(media)
            assert "Accept" in answer.headers["vary"]
            found = parse_rdf(answer.body, fmt)
            # (support.select gives values: compared as values)
            assert {(s.value, p.value, o.value) for s, p, o in found} == {
                (s.value, p, o) for s, p, o in expected}, kind["iri"]


def test_a_source_table_row_resolves_with_its_document(seed):
    row = seed.facts["row"]
    document, _, fragment = row.partition("#")
    answer = fetch(seed.url + path(document), accept="text/turtle")
    triples = parse_rdf(answer.body, pyoxigraph.RdfFormat.TURTLE)
    assert (pyoxigraph.NamedNode(row), pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            pyoxigraph.NamedNode("https://w3id.org/clkg/ontology#SourceRow")) in triples
    page = fetch(seed.url + path(document)).text
    assert f'id="{fragment}"' in page


def test_a_named_graph_resolves_to_what_it_holds(seed):
    graph, size = max(seed.facts["sizes"].items(), key=lambda kv: kv[1])
    assert graph.startswith(SITE + "graph/")
    answer = fetch(seed.url + path(graph) + "?format=ttl")
    assert answer.status == 200 and len(parse_rdf(answer.body, pyoxigraph.RdfFormat.TURTLE)) == size
    assert f"{size} triples" in fetch(seed.url + path(graph)).text


def test_the_ontology_resolves_to_its_documentation_or_to_rdf(seed):
    from clkg.vocabulary import ontology_quads

    terms = {q.subject.value for q in ontology_quads() if q.subject.value.startswith(SITE + "ontology#")}
    page = fetch(seed.url + "ontology")
    assert page.status == 200
    missing = [t for t in terms if f'id="{t.partition("#")[2]}"' not in page.text]
    assert missing == []  # every term's IRI lands on its documentation
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', page.text)  # nothing from the network
    answer = fetch(seed.url + "ontology", accept="text/turtle")
    assert len(parse_rdf(answer.body, pyoxigraph.RdfFormat.TURTLE)) == len(
        {(q.subject, q.predicate, q.object) for q in ontology_quads()})


def test_an_iri_nothing_is_named_is_not_found(seed):
    for accept in ("text/html", "text/turtle"):
        answer = fetch(seed.url + "data/no-such-study/finding/none", accept=accept)
        assert answer.status == 404
        assert "nothing in the graph is named" in answer.text


def test_no_path_leaves_the_routes(seed):
    host = urlsplit(seed.url)
    for raw in ("/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                "/static/..%2f..%2f..%2fetc%2fpasswd", "/..%2f..%2f..%2f..%2fetc%2fpasswd",
                "/static//etc/passwd", "/static/style.css/../../../pyproject.toml"):
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        connection.request("GET", raw)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        connection.close()
        assert response.status == 404, raw
        assert "root:" not in body and "[project]" not in body and "Traceback" not in body
    assert fetch(seed.url + "static/style.css").status == 200


# -- saved questions, comparisons, downloads

def test_the_gallery_lists_every_saved_question(seed):
    page = fetch(seed.url + "questions").text
    for name, query in saved_queries().items():
        assert f'href="/questions/{name}"' in page and query.question in html.unescape(page)
    assert 'href="/compare/studies"' in page and 'href="/compare/cases"' in page


def _options(page: str, name: str) -> list[str]:
    block = re.search(rf'<select id="p-{name}" name="{name}">(.*?)</select>', page, re.S)
    assert block, f"no choices for {name}"
    return [html.unescape(v) for v in re.findall(r'<option value="([^"]+)"', block[1])]


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_every_saved_question_answers_as_clkg_query_does(seed, name):
    query = saved_queries()[name]
    page = fetch(seed.url + f"questions/{name}")
    assert page.status == 200
    params = {}
    for param in query.params.values():
        if param.required:
            options = _options(page.text, param.name)
            assert options, param.name
            params[param.name] = options[0]
    if params:
        assert "<table" not in page.text  # no answer before the required parameters are chosen
        page = fetch(seed.url + f"questions/{name}?" + urlencode(params))
    expected = json.loads(clkg(seed, "query", name, *[f"--param={k}={v}" for k, v in params.items()],
                               "--format", "json"))
    shown = re.search(r"(\d+) rows · Download", page.text)
    assert shown and int(shown[1]) == len(expected)
    assert len(re.findall(r"<tr><td>", page.text)) == min(len(expected), 2000)


def test_choices_list_what_the_graph_holds(seed):
    page = fetch(seed.url + "questions/evidence-for-finding").text
    assert len(_options(page, "finding")) == seed.facts["findings"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_downloads_are_what_clkg_query_writes(seed, fmt, tmp_path):
    concept = seed.facts["concept"]["concept"]
    answer = fetch(seed.url + f"questions/quotations-by-concept.{fmt}?" + urlencode({"concept": concept}))
    assert answer.status == 200
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.body == clkg_bytes(seed, tmp_path, "query", "quotations-by-concept", "--param",
                                     f"concept={concept}", "--format", fmt)


@pytest.mark.parametrize("what, fmt", [("studies", f) for f in ("csv", "md", "html", "latex", "table")]
                         + [("cases", "md")])
def test_comparison_downloads_are_what_clkg_compare_writes(seed, what, fmt, tmp_path):
    answer = fetch(seed.url + f"compare/{what}.{fmt}")
    assert answer.status == 200
    assert answer.body == clkg_bytes(seed, tmp_path, "compare", what, "--format", fmt)
    assert fetch(seed.url + f"compare/{what}").status == 200


def test_a_bad_parameter_is_explained_on_the_page(seed):
    page = fetch(seed.url + "questions/quotations-by-concept?concept=" + quote("not an iri"))
    assert page.status == 400
    assert "must be an IRI or a CURIE" in html.unescape(page.text)
    assert "Traceback" not in page.text


# -- /sparql

def _client(seed, method: str, text: str):
    from SPARQLWrapper import GET, JSON, POST, SELECT, SPARQLWrapper

    client = SPARQLWrapper(seed.url + "sparql", returnFormat=JSON)
    client.setMethod(POST if method == "POST" else GET)
    client.setQuery(text)
    client.queryType = SELECT  # (SPARQLWrapper would guess the form from a word such as ?construct)
    return client


def _value(binding):
    """A SPARQL JSON value as `clkg query --format json` writes it."""
    if binding is None:
        return None
    datatype = binding.get("datatype", "")
    if datatype.startswith(XSD) and datatype[len(XSD):] in ("integer", "nonNegativeInteger", "positiveInteger", "int", "long"):
        return int(binding["value"])
    if datatype.startswith(XSD) and datatype[len(XSD):] in ("decimal", "double", "float"):
        return float(binding["value"])
    if datatype == XSD + "boolean":
        return binding["value"] == "true"
    return binding["value"]


def _text_of(name: str, params: dict) -> str:
    """A saved query's text with its parameters bound, as the stores bind them."""
    from clkg.prefixes import converter
    from clkg.saved_queries import bindings
    from clkg.store.binding import bind_values

    query = saved_queries()[name]
    terms = bindings(query, params, prefixes=converter())
    return bind_values(query.text, terms) if terms else query.text


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_sparql_answers_every_saved_query_as_clkg_query_does(seed, name):
    params = {"finding": seed.facts["finding"]["finding"], "concept": seed.facts["concept"]["concept"]}
    params = {k: v for k, v in params.items() if k in saved_queries()[name].params and saved_queries()[name].params[k].required}
    text = _text_of(name, params)
    client = _client(seed, "GET" if len(quote(text)) < 6000 else "POST", text)  # (a long URL passes server limits)
    answer = client.queryAndConvert()
    rows = [{c: _value(b.get(c)) for c in answer["head"]["vars"]} for b in answer["results"]["bindings"]]
    expected = json.loads(clkg(seed, "query", name, *[f"--param={k}={v}" for k, v in params.items()], "--format", "json",
                               "--iris"))
    assert rows == expected


def test_sparql_results_formats(seed):
    query = PREFIXES + "SELECT ?study ?title WHERE { ?study a clkg:Study ; dcterms:title ?title } ORDER BY ?study"
    studies = len(seed.facts["studies"])
    for accept, fmt in (("application/sparql-results+json", pyoxigraph.QueryResultsFormat.JSON),
                        ("application/sparql-results+xml", pyoxigraph.QueryResultsFormat.XML),
                        ("text/tab-separated-values", pyoxigraph.QueryResultsFormat.TSV)):
        answer = fetch(seed.url + "sparql?" + urlencode({"query": query}), accept=accept)
        assert answer.status == 200 and answer.headers["content-type"].startswith(accept)
        assert re.fullmatch(r"store;dur=\d+\.\d", answer.headers["server-timing"])
        solutions = list(pyoxigraph.parse_query_results(answer.body, format=fmt))
        assert sorted(s["title"].value for s in solutions) == sorted(s["title"] for s in seed.facts["studies"])
    answer = fetch(seed.url + "sparql", data=query.encode(), content_type="application/sparql-query", accept="text/csv")
    lines = answer.text.strip().splitlines()
    assert answer.headers["content-type"].startswith("text/csv") and lines[0].strip() == "study,title"
    assert len(lines) == studies + 1
    ask = fetch(seed.url + "sparql?" + urlencode({"query": PREFIXES + "ASK { ?s a clkg:Study }"}))
    assert json.loads(ask.body) == {"head": {}, "boolean": True}
    assert fetch(seed.url + "sparql?" + urlencode({"query": query, "format": "csv"})).headers["content-type"].startswith("text/csv")
    assert fetch(seed.url + "sparql?" + urlencode({"query": query}), accept="image/png").status == 406


def test_sparql_construct_and_describe_by_content_negotiation(seed):
    kind = seed.facts["kinds"][0]
    construct = f"CONSTRUCT {{ <{kind['iri']}> ?p ?o }} WHERE {{ <{kind['iri']}> ?p ?o }}"
    for accept, fmt in (("text/turtle", pyoxigraph.RdfFormat.TURTLE), ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
                        ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES)):
        for text in (construct, f"DESCRIBE <{kind['iri']}>"):
            answer = fetch(seed.url + "sparql", data=urlencode({"query": text}).encode(),
                           content_type="application/x-www-form-urlencoded", accept=accept)
            assert answer.status == 200 and answer.headers["content-type"].startswith(accept)
            assert len(parse_rdf(answer.body, fmt)) == len(kind["triples"])


def _count(seed) -> int:
    answer = fetch(seed.url + "sparql?" + urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}))
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


def test_sparql_refuses_updates(seed):
    before = _count(seed)
    update = 'INSERT DATA { <urn:x:a> <urn:x:b> "c" }'
    for answer in (
        fetch(seed.url + "sparql", data=urlencode({"update": update}).encode(), content_type="application/x-www-form-urlencoded"),
        fetch(seed.url + "sparql", data=update.encode(), content_type="application/sparql-update"),
        fetch(seed.url + "sparql?" + urlencode({"update": update})),
    ):
        assert answer.status == 403 and "read-only" in answer.text
    smuggled = fetch(seed.url + "sparql?" + urlencode({"query": update}))
    assert smuggled.status == 400
    assert _count(seed) == before


def test_sparql_refuses_a_dataset_of_its_own(seed):
    answer = fetch(seed.url + "sparql?" + urlencode({"query": "ASK {}", "default-graph-uri": "urn:x"}))
    assert answer.status == 400 and "default-graph-uri" in answer.text


def test_sparql_lets_browser_pages_of_other_origins_call_it(seed):
    preflight = fetch(seed.url + "sparql", method="OPTIONS", headers={
        "Origin": "http://editor.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "http://editor.example")
    assert "POST" in preflight.headers["access-control-allow-methods"]
    answer = fetch(seed.url + "sparql?" + urlencode({"query": "ASK {}"}), headers={"Origin": "http://editor.example"})
    assert answer.headers["access-control-allow-origin"] == "*"


def test_a_query_that_does_not_parse_is_explained(seed):
    answer = fetch(seed.url + "sparql?" + urlencode({"query": "SELECT ?x WHERE { ?x"}))
    assert answer.status == 400 and answer.headers["content-type"].startswith("text/plain")
    assert "error" in answer.text.lower() and "Traceback" not in answer.text
    page = fetch(seed.url + "query", data=urlencode({"query": "SELECT ?x WHERE { ?x"}).encode(),
                 content_type="application/x-www-form-urlencoded")
    assert page.status == 400 and 'class="error"' in page.text and "Traceback" not in page.text


def test_a_query_past_the_time_limit_is_stopped(seed):
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    answer = fetch(seed.url + "sparql?" + urlencode({"query": endless}))
    assert answer.status == 503 and f"time limit of {TIMEOUT} s" in answer.text
    page = fetch(seed.url + "query?" + urlencode({"query": endless}))
    assert page.status == 503 and "took longer than the time limit" in page.text
    assert _count(seed) > 0  # a fresh worker answers the next query


def test_an_answer_past_the_size_limit_is_refused(seed):
    everything = "SELECT * WHERE { ?s ?p ?o }"
    answer = fetch(seed.url + "sparql?" + urlencode({"query": everything}))
    assert answer.status == 422 and "larger than the limit of 1 MB" in answer.text
    small = fetch(seed.url + "sparql?" + urlencode({"query": everything + " LIMIT 5"}))
    assert small.status == 200 and len(json.loads(small.body)["results"]["bindings"]) == 5


def _descendants(pid: int) -> set[int]:
    """The processes below ``pid`` (its workers and theirs), from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # it ended meanwhile
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        above = todo.pop()
        below = [child for child, parent in parents.items() if parent == above]
        found.update(below)
        todo += below
    return found


def _alive(pids: set[int]) -> set[int]:
    def running(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
        except OSError:  # it ended meanwhile
            return False
    return {pid for pid in pids if running(pid)}


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name)
def test_stopping_the_server_stops_its_workers(seed, tmp_path, stop):
    """Ctrl-C, a service manager's SIGTERM, or even SIGKILL of `clkg serve`: no worker process is left."""
    with served(f"oxigraph:{seed.copy}", tmp_path / "serve.log") as server:
        assert fetch(server.url + "studies").status == 200  # the workers are running
        assert fetch(server.url + "ontology").status == 200  # and the documentation's process has done
        workers = _descendants(server.process.pid)
        assert workers
        server.process.send_signal(stop)
        server.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _alive(workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(workers), [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in _alive(workers)]
        if stop != signal.SIGKILL:
            assert "Traceback" not in server.output(), server.output()


# -- VoID, plots, documentation

def test_void_describes_the_graphs_studies_version_and_licence(seed):
    from clkg.vocabulary import ontology_quads

    answer = fetch(seed.url + ".well-known/void", accept="text/turtle")
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/turtle")
    store = pyoxigraph.Store()
    store.load(answer.body, format=pyoxigraph.RdfFormat.TURTLE)
    prefix = "PREFIX void: <http://rdfs.org/ns/void#> PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dcterms: <http://purl.org/dc/terms/> "

    [dataset] = list(store.query(prefix + "SELECT ?d ?n ?e WHERE { ?d a void:Dataset, dcat:Dataset ; void:triples ?n ; void:sparqlEndpoint ?e }"))
    assert int(dataset["n"].value) == sum(seed.facts["sizes"].values())
    assert dataset["e"].value == seed.url + "sparql"
    subsets = {s["g"].value: int(s["n"].value) for s in store.query(prefix + "SELECT ?g ?n WHERE { ?d void:subset ?g . ?g void:triples ?n }")}
    assert subsets == seed.facts["sizes"]
    classes = {s["c"].value: int(s["n"].value) for s in store.query(prefix + "SELECT ?c ?n WHERE { ?d void:classPartition [ void:class ?c ; void:entities ?n ] }")}
    assert classes == seed.facts["classes"]
    license = {q.object.value for q in ontology_quads() if q.predicate.value == "http://purl.org/dc/terms/license"
               and q.subject.value == SITE + "ontology"}
    assert {s["l"].value for s in store.query(prefix + "SELECT ?l WHERE { ?d dcterms:license ?l }")} == license
    assert list(store.query(prefix + "SELECT ?v WHERE { ?d dcat:version ?v }"))
    jsonld = fetch(seed.url + ".well-known/void", accept="application/ld+json")
    assert len(parse_rdf(jsonld.body, pyoxigraph.RdfFormat.JSON_LD)) == len(store)


def _marks(svg: bytes, name: str) -> int:
    """How many shapes the SVG draws for the Vega-Lite mark ``name``."""
    root = ET.fromstring(svg)
    return sum(len(g.findall(SVG + "path")) for g in root.iter(SVG + "g") if f"{name}_marks" in g.get("class", "").split())


def _arrows(moves: list[dict]) -> set:
    """The arrows the involvement plot draws: one per (from, to, frequency) of the migrations."""
    return {(r["from_level"], r["to_level"], r["frequency"]) for r in moves}


def _bars(evidence: list[dict]) -> int:
    """The bars the evidence plot draws: findings and quotations of each concept and study (a
    concept of two schemes has a row for each, drawn once)."""
    return len({(r["concept"], r["study"], kind) for r in evidence for kind in ("findings", "quotations") if r[kind]})


def expected_marks(seed) -> dict:
    """(plot, mark) -> how many shapes the answers of the plot's saved queries call for."""
    matrix = json.loads(clkg(seed, "query", "barrier-matrix", "--format", "json"))
    moves = json.loads(clkg(seed, "query", "cop-migrations", "--format", "json"))
    ladder = json.loads(clkg(seed, "query", "involvement-ladder", "--format", "json"))
    evidence = json.loads(clkg(seed, "query", "evidence-by-concept", "--format", "json"))
    levels = {r["level"] for r in ladder} | {r["from_level"] for r in moves} | {r["to_level"] for r in moves}
    return {("barrier-matrix", "cells"): len({(r["level"], r["type"]) for r in matrix}),
            ("involvement", "migrations"): len(_arrows(moves)), ("involvement", "arrows"): len(_arrows(moves)),
            ("involvement", "levels"): len(levels),
            ("evidence", "bars"): _bars(evidence)}


def test_plots_download_as_svg_and_png_drawn_from_the_queries(seed):
    marks = expected_marks(seed)
    assert all(marks.values())
    for (plot, mark), count in marks.items():
        svg = fetch(seed.url + f"plots/{plot}.svg")
        assert svg.status == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert _marks(svg.body, mark) == count, (plot, mark)
    for plot in {plot for plot, _ in marks}:
        png = fetch(seed.url + f"plots/{plot}.png")
        assert png.headers["content-type"] == "image/png" and png.body.startswith(b"\x89PNG\r\n\x1a\n")
        spec = json.loads(fetch(seed.url + f"plots/{plot}.json").body)
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        assert "subtitle" not in spec.get("title", {}), "every bar is drawn: the counts above hold"
    some = json.loads(clkg(seed, "query", "evidence-by-concept", "--param", "scheme=" + seed_scheme(seed), "--format", "json"))
    svg = fetch(seed.url + "plots/evidence.svg?" + urlencode({"scheme": seed_scheme(seed)})).body
    assert _marks(svg, "bars") == _bars(some) < marks[("evidence", "bars")]


def seed_scheme(seed) -> str:
    """The scheme of the concept of the facts (a scheme with evidence)."""
    evidence = json.loads(clkg(seed, "query", "evidence-by-concept", "--format", "json", "--iris"))
    return next(r["scheme"] for r in evidence if r["concept"] == seed.facts["concept"]["concept"])


def test_plot_text_from_the_graph_is_escaped():
    from clkg.tables import Table
    from clkg.web.plots import _render, barrier_matrix

    table = Table(["level", "type", "barrier", "quotations", "findings"],
                  [("<b>level</b>", "type", "<script>alert(1)</script>", 1, 2)])
    svg = _render(json.dumps(barrier_matrix({"barrier-matrix": table})), "svg").decode()
    assert "<script" not in svg and "<b>" not in svg and "&lt;script&gt;" in svg


def test_the_evidence_plot_of_many_studies_draws_the_most_and_sums_the_rest():
    """Hundreds of studies and thousands of concepts would be an unreadable plot, which Vega's
    renderer cannot even draw (its stack overflows): the studies with the most evidence each get a
    bar, the others one bar together, and as many concepts as MAX_BARS bars allow, most first."""
    from clkg.tables import Table
    from clkg.web.plots import MAX_BARS, MAX_STUDIES, _render, evidence

    n_studies, n_concepts = MAX_STUDIES + 28, 2 * MAX_BARS
    rows = [(f"concept {c}", f"https://example.org/c{c}", "scheme", f"study {s:02}", 1 + (c + s) % 3, s + 1)
            for s in range(n_studies) for c in range(n_concepts)]
    spec = evidence({"evidence-by-concept": Table(["label", "concept", "scheme", "study", "findings", "quotations"],
                                                  rows)})
    values = spec["data"]["values"]
    studies = {v["study"] for v in values}
    assert studies == {f"study {s:02}" for s in range(28, n_studies)} | {"28 other studies"}  # most quotations
    concepts = {v["concept"] for v in values}
    assert len(concepts) == MAX_BARS // (MAX_STUDIES + 1)
    for concept in concepts:  # nothing of a concept shown is lost: the other studies' counts are summed
        c = int(concept.split()[1])
        assert sum(v["count"] for v in values if v["concept"] == concept) == \
            sum(r[4] + r[5] for r in rows if r[1] == f"https://example.org/c{c}")
    assert f"of {n_concepts:,}" in spec["title"]["subtitle"] and "28 summed" in spec["title"]["subtitle"]
    assert _marks(_render(json.dumps(spec), "svg"), "bars") == len(values)


def test_migrations_reported_by_several_studies_are_one_arrow():
    from clkg.tables import Table
    from clkg.web.plots import MAX_CASES, migrations

    columns = ["from_level", "from_group", "to_level", "to_group", "frequency", "rank", "cases", "locator"]
    moves = [("low", None, "high", None, "often", 3, f"case {i}", None) for i in range(MAX_CASES + 1)]
    moves += [("low", None, "high", None, "rarely", 1, None, None), ("high", None, "low", None, "often", 3, "x", None)]
    ladder = Table(["order", "level", "member_group"], [(1, "low", None), (2, "high", None)])
    spec = migrations({"involvement-ladder": ladder, "cop-migrations": Table(columns, moves)})
    [labels] = [layer["data"]["values"] for layer in spec["layer"] if layer["name"] == "frequencies"]
    assert sorted((v["from"], v["to"], v["frequency"], v["cases"]) for v in labels) == [
        ("high", "low", "often", "x"), ("low", "high", "often" + f" ({MAX_CASES + 1} reports)", f"{MAX_CASES + 1} case lists"),
        ("low", "high", "rarely", "all cases")]


def test_a_png_too_large_to_draw_is_refused_not_drawn():
    """vl-convert aborts the whole process when it cannot allocate a PNG (a 33-study corpus's evidence
    plot asked for 57 GB), so a PNG past MAX_PNG_PIXELS is refused (422 as AnswerTooLarge)."""
    from clkg.web.plots import MAX_PNG_PIXELS, PNG_SCALE, VEGA_LITE, _render
    from clkg.web.runner import AnswerTooLarge

    spec = {"$schema": VEGA_LITE, "data": {"values": [{"n": 1}]}, "mark": "bar",
            "encoding": {"x": {"field": "n", "type": "quantitative"}}, "width": 200}
    assert _render(json.dumps({**spec, "height": 200}), "png").startswith(b"\x89PNG")
    tall = int(MAX_PNG_PIXELS / PNG_SCALE ** 2 / 200) + 10
    with pytest.raises(AnswerTooLarge, match="too large to draw as PNG"):
        _render(json.dumps({**spec, "height": tall}), "png")
    assert _render(json.dumps({**spec, "height": tall}), "svg").startswith(b"<svg")


def test_clkg_docs_writes_the_ontology_documentation(tmp_path):
    from clkg.vocabulary import ontology_quads

    result = run_clkg("docs", "-o", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'id="Finding"' in page and "<html" in page
    triples = {(q.subject, q.predicate, q.object) for q in ontology_quads()}
    assert len(parse_rdf((tmp_path / "site" / "clkg.ttl").read_bytes(), pyoxigraph.RdfFormat.TURTLE)) == len(triples)
    assert len(parse_rdf((tmp_path / "site" / "clkg.jsonld").read_bytes(), pyoxigraph.RdfFormat.JSON_LD)) == len(triples)


# -- a store written while the server runs

def test_a_study_loaded_while_the_server_runs_shows_without_a_restart(tmp_path):
    """`clkg load` in another process while `clkg serve` has the store open: the next requests see
    the new study, its prefix included, and the pages asked for meanwhile keep answering."""
    from clkg.namespaces import concept_namespace, dataset_base

    [study] = _third("study")
    iri, scheme = dataset_base(study["study_id"]) + "study", concept_namespace(study["study_id"]) + "scheme"
    store = cli_built_store(tmp_path / "store")
    with served(f"oxigraph:{store}", tmp_path / "serve.log", "--workers", "2") as server:
        before = fetch(server.url + "studies")
        assert before.status == 200 and study["title"] not in html.unescape(before.text)
        assert fetch(server.url + path(scheme)).status == 404
        loaded = run_clkg("--store", f"oxigraph:{store}", "load", THIRD)
        assert loaded.returncode == 0, loaded.stderr
        for _ in range(3):  # each of the two workers, whichever answers
            page = fetch(server.url + "studies")
            assert page.status == 200
            assert study["title"] in html.unescape(page.text) and f'href="/{path(iri)}"' in page.text
        page = fetch(server.url + path(scheme))
        assert page.status == 200 and f"{study['prefix']}:scheme" in texts(page.text, "code")  # its prefix
        assert "Traceback" not in server.output(), server.output()


def test_a_study_loaded_into_a_served_sparql_store_shows_within_seconds(tmp_path):
    """Over a SPARQL server the pages answer live; the list of clkg's graphs (each query's dataset)
    is asked for again when it is older than GRAPHS_MAX_AGE, so a study another client loads shows soon."""
    import subprocess
    import time

    import oxigraph_server
    from support import require

    from clkg.store.sparql import GRAPHS_MAX_AGE

    require(oxigraph_server.installed(), "the Oxigraph server is not installed (`pip install oxigraph`)")
    [study] = _third("study")
    dump = tmp_path / "seed.nq"
    exported = run_clkg("--store", f"oxigraph:{cli_built_store(tmp_path / 'store')}", "export", "--format", "nq",
                        "-o", dump)
    assert exported.returncode == 0, exported.stderr
    (tmp_path / "ox" / "data").mkdir(parents=True)
    put = subprocess.run(["oxigraph", "load", "--location", str(tmp_path / "ox" / "data"), "--file", str(dump)],
                         capture_output=True, text=True)
    assert put.returncode == 0, put.stderr
    server = oxigraph_server.start(tmp_path / "ox")
    try:
        with served(server.spec, tmp_path / "serve.log") as web:
            assert study["title"] not in html.unescape(fetch(web.url + "studies").text)
            loaded = run_clkg("--store", server.spec, "load", THIRD)
            assert loaded.returncode == 0, loaded.stderr
            waited = time.monotonic()
            while study["title"] not in html.unescape(fetch(web.url + "studies").text):
                assert time.monotonic() - waited < GRAPHS_MAX_AGE + 20, "the new study did not show"
                time.sleep(0.5)
            assert "Traceback" not in web.output(), web.output()
    finally:
        server.stop()


# -- a store that is not there

def test_a_missing_store_gets_a_clear_page(tmp_path):
    with served(f"oxigraph:{tmp_path / 'never-built'}", tmp_path / "serve.log") as server:
        page = fetch(server.url + "studies")
        assert page.status == 503 and "No graph to show" in page.text and "Traceback" not in page.text
        message = re.search(r'<p class="error">(.*?)</p>', page.text, re.S)
        assert message and str(tmp_path / "never-built") in html.unescape(message[1])  # it names the store
        answer = fetch(server.url + "sparql?" + urlencode({"query": "ASK {}"}))
        assert answer.status == 503 and answer.headers["content-type"].startswith("text/plain")
        assert "warning:" in server.output()


def test_serve_refuses_a_busy_port_and_bad_options(seed):
    port = urlsplit(seed.url).port
    busy = run_clkg("--store", f"oxigraph:{seed.copy}", "serve", "--port", port)
    assert busy.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in busy.stderr
    bad = run_clkg("--store", f"oxigraph:{seed.copy}", "serve", "--timeout", "0")
    assert bad.returncode == 2 and "--timeout" in bad.stderr
