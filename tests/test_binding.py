"""Binding parameters into SPARQL text for servers (clkg.store.binding): a VALUES block in the WHERE
group, every value exactly one term. The answers are checked against pyoxigraph's own substitution."""

import pyoxigraph
import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Variable

from clkg.errors import UsageError
from clkg.store.binding import bind_values, query_form

EX = "http://example.org/"
X = Variable("x")


@pytest.fixture(scope="module")
def data():
    """A small store: three subjects with a label each, one of them typed."""
    store = pyoxigraph.Store()
    for name, label in [("a", "alpha"), ("b", 'be"ta'), ("c", "gam\nma")]:
        store.add(Quad(NamedNode(EX + name), NamedNode(EX + "label"), Literal(label, language="en")))
    store.add(Quad(NamedNode(EX + "a"), NamedNode(EX + "type"), NamedNode(EX + "Thing")))
    return store


def _answer(result):
    if isinstance(result, pyoxigraph.QueryBoolean):
        return bool(result)
    if isinstance(result, pyoxigraph.QuerySolutions):
        columns = result.variables
        return sorted(tuple(str(s[c]) for c in columns) for s in result)
    return sorted(map(str, result))


@pytest.mark.parametrize("query, substitutions", [
    ("SELECT ?x ?l WHERE { ?x <http://example.org/label> ?l }", {X: NamedNode(EX + "b")}),
    ("SELECT ?x ?l WHERE { ?x <http://example.org/label> ?l }", {Variable("l"): Literal('be"ta', language="en")}),
    ("SELECT ?x { ?x ?p ?o FILTER(?o != '{') } ORDER BY ?x", {X: NamedNode(EX + "a")}),
    ("PREFIX e: <http://example.org/> # a { brace in a comment\nSELECT ?x ?l { ?x e:label ?l }", {X: NamedNode(EX + "c")}),
    ('SELECT ?x (EXISTS { ?x <http://example.org/type> ?t } AS ?typed) WHERE { ?x ?p """ } """ } ',
     {X: NamedNode(EX + "a")}),
    ("SELECT ?x ?l WHERE { ?x <http://example.org/label> ?l OPTIONAL { ?x <http://example.org/type> ?t } }",
     {X: NamedNode(EX + "a")}),
    ("SELECT * WHERE { SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x }", {X: NamedNode(EX + "a")}),
    ("SELECT ?x ?l WHERE { { SELECT ?x ?l WHERE { ?x <http://example.org/label> ?l } } ?x ?p ?o }",
     {X: NamedNode(EX + "a")}),
    ("SELECT ?x ?n WHERE { ?x ?p ?o { SELECT ?x (COUNT(*) AS ?n) WHERE { { SELECT ?y WHERE { ?x ?q ?y } } ?x ?r ?y } "
     "GROUP BY ?x } }", {X: NamedNode(EX + "a")}),
    ("SELECT * WHERE { { SELECT * WHERE { ?x <http://example.org/label> ?l } } }", {X: NamedNode(EX + "b")}),
    ("SELECT ?x WHERE { { SELECT ?x WHERE { SELECT ?x WHERE { ?x ?p ?o } } } }", {X: NamedNode(EX + "a")}),
    ("SELECT ?x ?n WHERE { ?x ?p ?o BIND(STRLEN(STR(?o)) AS ?n) FILTER((?n<6)&&?n>1) }", {X: NamedNode(EX + "a")}),
    ("ASK { ?x <http://example.org/type> ?t }", {X: NamedNode(EX + "a")}),
    ("ASK WHERE { ?x <http://example.org/type> ?t }", {X: NamedNode(EX + "b")}),
    ("CONSTRUCT { ?x <http://example.org/named> ?l } WHERE { ?x <http://example.org/label> ?l }",
     {X: NamedNode(EX + "a")}),
    ("DESCRIBE ?x WHERE { ?x ?p ?o }", {X: NamedNode(EX + "c")}),
])
def test_values_give_the_answers_of_substitution(data, query, substitutions):
    bound = bind_values(query, substitutions)
    assert "VALUES (" in bound
    assert _answer(data.query(bound)) == _answer(data.query(query, substitutions=substitutions))


def test_the_block_opens_the_where_group():
    bound = bind_values("PREFIX a: <http://a/x#>\nSELECT ?x FROM <http://g/> WHERE { ?x ?p ?o }", {X: Literal("v")})
    assert bound.endswith('WHERE { VALUES (?x) { ("v") }  ?x ?p ?o }')
    template = bind_values("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", {X: Literal("v")})
    assert template.startswith("CONSTRUCT { ?x ?p ?o } WHERE { VALUES")


@pytest.mark.parametrize("query, with_substitution, joined_after", [
    # a LIMIT cuts the sub-SELECT's rows before the value could be joined to them
    ("SELECT ?x WHERE { { SELECT ?x WHERE { ?x <http://example.org/label> ?l } ORDER BY ?x LIMIT 1 } }",
     [(f"<{EX}b>",)], []),
    # an OPTIONAL that leaves the variable unbound in the sub-SELECT
    ("SELECT ?x ?l WHERE { { SELECT ?x ?l WHERE { ?s <http://example.org/label> ?l "
     "OPTIONAL { ?s <http://example.org/type> ?x } } } FILTER(?l = 'be\"ta'@en) }",
     [(f"<{EX}b>", '"be\\"ta"@en')], [(f"<{EX}b>", '"be\\"ta"@en')]),
])
def test_inside_a_sub_select_the_value_is_substituted(data, query, with_substitution, joined_after):
    """Inside a sub-SELECT that projects the variable, the value is substituted, as pyoxigraph's
    substitutions do, not joined after the sub-SELECT: the two differ where a LIMIT cuts first."""
    subs = {X: NamedNode(EX + "b")}
    assert _answer(data.query(bind_values(query, subs))) == _answer(data.query(query, substitutions=subs)) \
        == with_substitution
    outer = query.replace("WHERE {", "WHERE { VALUES ?x { <http://example.org/b> }", 1)
    assert _answer(data.query(outer)) == joined_after


def test_a_sub_select_that_does_not_project_the_variable_keeps_its_own(data):
    """Its GROUP BY, HAVING and ORDER BY see what it projects: ?x in its HAVING is its own."""
    query = ("SELECT ?l WHERE { { SELECT ?l WHERE { ?s <http://example.org/label> ?l } GROUP BY ?l "
             "HAVING EXISTS { { SELECT ?x WHERE { ?x <http://example.org/type> ?t } } } } }")
    bound = bind_values(query, {X: NamedNode(EX + "c")})
    assert bound.count("VALUES") == 1
    assert len(_answer(data.query(bound))) == 3


def test_the_block_is_repeated_in_the_sub_selects_that_project_the_variable():
    """For speed (an engine that evaluates a sub-SELECT on its own reads only the value's part of
    the data), never where a sub-SELECT's variable of the same name is its own."""
    bound = bind_values("SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p ?o } } "
                        "{ SELECT ?o WHERE { ?x ?p ?o { SELECT ?x WHERE { ?x ?q ?o } } } } "
                        "{ SELECT (STR(?o) AS ?x) WHERE { ?s ?p ?o } } }", {X: Literal("v")})
    assert bound == ('SELECT ?x WHERE { VALUES (?x) { ("v") }  { SELECT ?x WHERE { VALUES (?x) { ("v") }  ?x ?p ?o } } '
                     "{ SELECT ?o WHERE { ?x ?p ?o { SELECT ?x WHERE { ?x ?q ?o } } } } "
                     "{ SELECT (STR(?o) AS ?x) WHERE { ?s ?p ?o } } }")
    # (?x of the second sub-SELECT's own sub-SELECT is the second's, not the query's; the third assigns ?x)


NASTY = ['x" } UNION { ?s ?p ?o } #', "a'b", "back\\slash", 'end\\', "new\nline\r\ttab", "\\u0022 } #",
         '"""', "nul\x00byte", "é — 😀", "}", ">"]


@pytest.mark.parametrize("value", NASTY)
def test_a_value_is_exactly_one_term(value):
    for term in (Literal(value), Literal(value, language="en-GB"),
                 Literal(value, datatype=NamedNode(EX + "type"))):
        bound = bind_values("SELECT ?x ?y WHERE { BIND(1 AS ?y) }", {X: term})
        rows = list(pyoxigraph.Store().query(bound))
        assert [(row["x"], row["y"].value) for row in rows] == [(term, "1")], bound


@pytest.mark.parametrize("iri", ["http://x/>", "http://x/ y", 'http://x/"', "http://x/{", "no-scheme"])
def test_an_iri_that_could_end_the_term_cannot_be_made(iri):
    with pytest.raises(ValueError):  # pyoxigraph's own check: such an IRI never reaches bind_values
        NamedNode(iri)


@pytest.mark.parametrize("substitutions, message", [
    ({X: BlankNode()}, "only an IRI"),
    ({X: Variable("y")}, "only an IRI"),
    ({X: "text"}, "only an IRI"),
    ({"x": Literal("v")}, "keyed by pyoxigraph.Variable"),
])
def test_only_iris_and_literals_bind_to_variables(substitutions, message):
    with pytest.raises(UsageError, match=message):
        bind_values("SELECT ?x WHERE { ?x ?p ?o }", substitutions)


@pytest.mark.parametrize("query, message", [
    ("CONSTRUCT WHERE { ?x ?p ?o }", "short form"),
    ("DESCRIBE <http://example.org/a>", "WHERE group"),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", "WHERE group"),
])
def test_a_query_without_room_for_values_is_refused(query, message):
    with pytest.raises(UsageError, match=message):
        bind_values(query, {X: Literal("v")})


@pytest.mark.parametrize("query, form", [
    ("SELECT * { ?s ?p ?o }", "SELECT"),
    ("prefix select: <http://s/>\nBASE <http://b/>\n# ASK\nconstruct { ?s ?p ?o } where { ?s ?p ?o }", "CONSTRUCT"),
    ("PREFIX : <http://e/> ASK { :a :b :c }", "ASK"),
    ("DESCRIBE <http://e/a>", "DESCRIBE"),
])
def test_the_form_of_a_query(query, form):
    assert query_form(query) == form


@pytest.mark.parametrize("text", ["INSERT DATA { <a:b> <a:c> <a:d> }", "DROP GRAPH <a:g>", "", "# SELECT only a comment",
                                  "PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }"])
def test_an_update_or_nothing_is_no_query(text):
    with pytest.raises(UsageError, match="not a SPARQL query"):
        query_form(text)


# -- a SELECT's final ORDER BY, split off for a server that cannot sort (Virtuoso's SR319)

@pytest.fixture(scope="module")
def ordered():
    """Rows with ties, unbound values, numbers of two datatypes, plain and tagged literals."""
    store = pyoxigraph.Store()
    rows = [("a", "10", "x"), ("b", "9", None), ("c", "10", "y"), ("d", None, "x"), ("e", "2.5", "z"), ("f", "9", "w")]
    for name, number, text in rows:
        node = NamedNode(EX + name)
        store.add(Quad(node, NamedNode(EX + "a"), NamedNode(EX + "Row")))
        if number is not None:
            kind = "decimal" if "." in number else "integer"
            store.add(Quad(node, NamedNode(EX + "n"), Literal(number, datatype=NamedNode(f"http://www.w3.org/2001/XMLSchema#{kind}"))))
        if text is not None:
            store.add(Quad(node, NamedNode(EX + "t"), Literal(text, language="en") if text == "y" else Literal(text)))
    return store


ROWS = "?r <http://example.org/a> <http://example.org/Row> OPTIONAL { ?r <http://example.org/n> ?n } OPTIONAL { ?r <http://example.org/t> ?t }"


@pytest.mark.parametrize("query", [
    f"SELECT ?r ?n ?t WHERE {{ {ROWS} }} ORDER BY ?n ?r",
    f"SELECT ?t ?r WHERE {{ {ROWS} }} ORDER BY DESC(?n) ASC(?t) ?r",
    f"SELECT ?r (STR(?n) AS ?s) WHERE {{ {ROWS} }} ORDER BY DESC(?s) ?r",  # an expression of the projection
    f"SELECT * WHERE {{ {ROWS} }} ORDER BY (!BOUND(?t)) STR(?t) ?r",
    # the conditions name variables that are not projected: added for the sort, dropped after
    f"PREFIX e: <http://example.org/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    f"SELECT ?r WHERE {{ {ROWS} }} ORDER BY xsd:string(?t) DESC(?n) ?r # ORDER BY ?nothing",
    f"SELECT ?r ?k WHERE {{ {{ SELECT ?r (COUNT(?t) AS ?k) WHERE {{ {ROWS} }} GROUP BY ?r ORDER BY ?r LIMIT 4 }} }} "
    "ORDER BY DESC(?k) ?r",
    f"SELECT ?n (COUNT(?r) AS ?k) WHERE {{ {ROWS} }} GROUP BY ?n ORDER BY DESC(?k) ?n",
])
def test_rows_sorted_after_the_server_give_the_answer_of_order_by(ordered, query):
    """The rows of the query without its ORDER BY, sorted in memory (as the SPARQL store does when a
    server cannot sort them), are the rows of the query, in its order, in its columns."""
    from clkg.store.binding import final_order_by
    from clkg.store.sparql import _sorted

    order = final_order_by(query)
    assert order is not None
    assert "ORDER BY" not in order.unordered.replace("ORDER BY ?r LIMIT", "")
    expected = ordered.query(query)
    columns = [v.value for v in expected.variables]
    answer = _sorted(ordered.query(order.unordered), order)
    assert [v.value for v in answer.variables] == columns
    assert [[s[c] for c in columns] for s in answer] == [[s[c] for c in columns] for s in expected]


def test_only_the_outermost_order_by_is_split_off():
    from clkg.store.binding import final_order_by

    query = ('PREFIX e: <http://e/> # ORDER BY ?x in a comment\n'
             'SELECT ?a (CONCAT(?b, "} LIMIT 1 {") AS ?s) FROM <http://g/> WHERE { ?a e:p "} ORDER BY ?a", """}\n#""" . '
             '{ SELECT ?a ?b WHERE { ?a e:q ?b } ORDER BY ?b LIMIT 3 } } ORDER BY DESC(?s) e:f(?c) # LIMIT 2\n')
    order = final_order_by(query)
    assert order.conditions == " DESC(?s) e:f(?c) # LIMIT 2\n"
    assert order.prologue == "PREFIX e: <http://e/> # ORDER BY ?x in a comment\n"
    assert (order.variables, order.extra) == (("s", "c"), ("c",))
    at = query.index("FROM")
    assert order.unordered == query[:at] + " ?c " + query[at:query.rindex("ORDER BY")]
    values = final_order_by("SELECT ?a WHERE { ?a ?p ?o } ORDER BY ?a VALUES ?a { <http://e/x> }")
    assert (values.unordered, values.conditions) == ("SELECT ?a WHERE { ?a ?p ?o } VALUES ?a { <http://e/x> }", " ?a ")


@pytest.mark.parametrize("query", [
    "SELECT ?a WHERE { ?a ?p ?o } ORDER BY ?a LIMIT 10",  # the LIMIT would cut other rows
    "SELECT ?a WHERE { ?a ?p ?o } ORDER BY ?a OFFSET 1",
    "SELECT ?a WHERE { ?a ?p ?o } LIMIT 10",
    "SELECT ?a WHERE { ?a ?p ?o }",
    "SELECT ?a WHERE { ?a ?p ?o FILTER(?o != 'ORDER BY ?a') } # ORDER BY ?a",
    "SELECT ?a WHERE { { SELECT ?a WHERE { ?a ?p ?o } ORDER BY ?a } }",  # only inside a sub-SELECT
    "SELECT ?a WHERE { ?a ?p ?o } ORDER BY (EXISTS { ?a ?p 1 })",  # reads the data
    "SELECT ?a WHERE { ?a ?p ?o } GROUP BY ?a ORDER BY COUNT(?o)",
    "SELECT DISTINCT ?a WHERE { ?a ?p ?o } ORDER BY ?o",  # ?o projected would change the rows
    "SELECT ?a WHERE { ?a ?p ?o } GROUP BY ?a ORDER BY ?o",
    "SELECT (COUNT(?a) AS ?n) WHERE { ?a ?p ?o } ORDER BY ?o",
    "CONSTRUCT { ?a ?p ?o } WHERE { ?a ?p ?o } ORDER BY ?a",
])
def test_no_split_where_it_would_change_the_answer(query):
    from clkg.store.binding import final_order_by

    assert final_order_by(query) is None


def test_a_blank_node_in_the_conditions_is_not_sorted_in_memory():
    """A VALUES block cannot hold a blank node: the server's error stands."""
    from clkg.store.binding import final_order_by
    from clkg.store.sparql import _sorted

    store = pyoxigraph.Store()
    store.add(Quad(BlankNode(), NamedNode(EX + "p"), Literal("v")))
    order = final_order_by("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s")
    assert _sorted(store.query(order.unordered), order) is None
    by_text = final_order_by("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?o")
    assert [s["o"].value for s in _sorted(store.query(by_text.unordered), by_text)] == ["v"]
