"""Facts from the two papers, asked of the built graph. Expected values are read off the papers."""

import pytest

from support import HIBBERT, SL, select


def one(store, query):
    rows = select(store, query)
    assert len(rows) == 1, rows
    return rows[0]


def cases(store, study):
    return {r["id"]: r for r in select(store, f"""
        SELECT ?id ?name ?kind ?founded ?members ?firms ?staff ?interviews ?type ?sector ?country WHERE {{
          GRAPH <https://w3id.org/clkg/graph/{study}> {{
            ?c a clkg:Case ; dcterms:identifier ?id ; rdfs:label ?name ; a ?kind .
            FILTER(?kind IN (clkg:ClusterInitiative, clkg:RegionalCluster))
            OPTIONAL {{ ?c clkg:foundedYear ?founded }} OPTIONAL {{ ?c clkg:memberCount ?members }}
            OPTIONAL {{ ?c clkg:firmCount ?firms }} OPTIONAL {{ ?c clkg:staffCount ?staff }}
            OPTIONAL {{ ?c clkg:interviewCount ?interviews }} OPTIONAL {{ ?c clkg:initiativeType ?type }}
            OPTIONAL {{ ?c clkg:sector ?sector }} OPTIONAL {{ ?c clkg:country ?country }} }} }}""")}


# --- Social learning in cluster initiatives -------------------------------------------------

def test_sl_four_polish_cis_of_table_2(store):
    cis = cases(store, SL)
    assert len(cis) == 4
    expected = {  # Table 2: name, creation date, members, type, interviews
        "Metal Cluster A": ("2008", "35", "bottom-up", "11"),
        "Metal Cluster B": ("2009", "78", "mixed-form", "7"),
        "ICT Cluster A": ("2007", "200", "mixed-form", "6"),
        "ICT Cluster B": ("2009", "130", "mixed-form", "11"),
    }
    by_name = {c["name"]: c for c in cis.values()}
    assert set(by_name) == set(expected)
    for name, (founded, members, kind, interviews) in expected.items():
        c = by_name[name]
        assert (c["founded"], c["members"], c["type"].rsplit("/", 1)[1], c["interviews"]) == \
            (founded, members, kind, interviews)
        assert c["kind"].endswith("#ClusterInitiative") and c["country"] == "Poland"
        assert c["sector"].endswith("/metal" if name.startswith("Metal") else "/ict")


def test_sl_35_interviews_about_44_hours_75_minutes(store):
    study = one(store, f"""SELECT ?n ?i ?h ?m WHERE {{ GRAPH <https://w3id.org/clkg/graph/{SL}> {{
        ?s a clkg:Study ; clkg:intervieweeCount ?n ; clkg:interviewCount ?i ;
           clkg:interviewHours ?h ; clkg:interviewMinutesMean ?m }} }}""")
    assert (study["n"], study["i"], float(study["h"]), float(study["m"])) == ("35", "35", 44.0, 75.0)
    total = one(store, f"""SELECT (SUM(?n) AS ?t) WHERE {{ GRAPH <https://w3id.org/clkg/graph/{SL}> {{
        ?c a clkg:Case ; clkg:interviewCount ?n }} }}""")
    assert int(total["t"]) == 35


def test_sl_interviews_by_role_metal_cluster_a(store):
    rows = select(store, f"""SELECT ?role ?n WHERE {{ GRAPH <https://w3id.org/clkg/graph/{SL}> {{
        ?s a clkg:SampleStratum ; clkg:inCase ?c ; clkg:informantRole ?role ; clkg:interviewCount ?n .
        ?c rdfs:label "Metal Cluster A" }} }}""")
    got = {r["role"].rsplit("/", 1)[1]: int(r["n"]) for r in rows}
    assert got == {"coordinator": 2, "enterprise-representative": 4,
                   "rd-education-representative": 4, "business-environment-representative": 1}
    totals = select(store, f"""SELECT ?c (SUM(?n) AS ?t) ?expected WHERE {{
        GRAPH <https://w3id.org/clkg/graph/{SL}> {{ ?s a clkg:SampleStratum ; clkg:inCase ?c ;
        clkg:interviewCount ?n . ?c clkg:interviewCount ?expected }} }} GROUP BY ?c ?expected""")
    assert len(totals) == 4 and all(int(r["t"]) == int(r["expected"]) for r in totals)


def test_sl_every_quotation_of_tables_5_and_6(store):
    rows = select(store, f"""SELECT ?q ?code ?case ?source WHERE {{ GRAPH <https://w3id.org/clkg/graph/{SL}> {{
        ?q a clkg:Quotation ; oa:exact ?text ; clkg:spokenBy ?who ; clkg:inCase ?case ; clkg:locator ?source .
        ?who clkg:informantCode ?code }} }}""")
    assert len(rows) == 20  # Table 5: 8, Table 6: 12
    assert sum(r["source"].startswith("Table 5") for r in rows) == 8
    assert sorted({r["code"] for r in rows}) == sorted(
        ["A4", "A5", "A6", "B2", "B8", "B10", "C6", "D1", "D3", "D5", "D7", "D9"])
    assert sum(r["code"] == "D5" for r in rows) == 4  # Table 5 row 4; Table 6 rows 1, 3, 4


def test_sl_quotation_text_is_exact(store):
    row = one(store, f"""SELECT ?text WHERE {{ GRAPH <https://w3id.org/clkg/graph/{SL}> {{
        ?q a clkg:Quotation ; oa:exact ?text ; clkg:spokenBy/clkg:informantCode "A6" ;
        dcterms:subject slf:removing-barrier-of-anonymity ; clkg:locator ?where .
        FILTER(STRSTARTS(?where, "Table 5")) }} }}""")
    assert row["text"] == "I am a relational man and I decided that a cluster is the best way to make contacts."


def test_sl_locomotives_only_in_ict_cis(store):
    rows = select(store, f"""SELECT ?sector ?observed WHERE {{ GRAPH <https://w3id.org/clkg/graph/{SL}> {{
        ?o a clkg:Observation ; clkg:observedConcept slf:locomotives ; clkg:observed ?observed ;
           clkg:inCase/clkg:sector ?sector }} }}""")
    assert len(rows) == 4
    assert all((r["observed"] == "true") == r["sector"].endswith("/ict") for r in rows)


def test_sl_metal_cis_stop_at_demonstrating_and_inspiring(store):
    rows = select(store, f"""SELECT ?concept ?observed WHERE {{ GRAPH <https://w3id.org/clkg/graph/{SL}> {{
        ?o a clkg:Observation ; clkg:observedConcept ?concept ; clkg:observed ?observed ;
           clkg:inCase/clkg:sector sector:metal .
        FILTER(?concept IN (slf:motivating, slf:educating, slf:demonstrating, slf:inspiring)) }} }}""")
    observed = {(r["concept"].rsplit("/", 1)[1], r["observed"]) for r in rows}
    assert ("motivating", "true") not in observed and ("educating", "true") not in observed
    assert ("motivating", "false") in observed and ("inspiring", "true") in observed


def test_sl_migrations_and_their_frequency(store):
    rows = select(store, f"""SELECT ?from ?to ?freq WHERE {{ GRAPH <https://w3id.org/clkg/graph/{SL}> {{
        ?m a clkg:Migration ; clkg:fromLevel ?from ; clkg:toLevel ?to ; clkg:frequency ?freq }} }}""")
    got = {(r["from"].rsplit("/", 1)[1], r["to"].rsplit("/", 1)[1]): r["freq"].rsplit("/", 1)[1] for r in rows}
    assert got[("passive-participation", "active-participation")] == "relatively-rarely"
    assert got[("active-participation", "joining-for-cooperation")] == "most-often"
    assert got[("joining-for-cooperation", "initiating-cooperation")] == "very-seldom"
    assert got[("active-participation", "initiating-cooperation")] == "not-observed"


@pytest.mark.parametrize("label, antecedent, mediator, outcome", [
    ("P1", "involvement", "trust-development", "strength-of-interactions"),
    ("P2", "strength-of-interactions", "social-learning", "benefits"),
    ("P3", "involvement", "common-group-identity", "benefits"),
])
def test_sl_propositions(store, label, antecedent, mediator, outcome):
    row = one(store, f"""SELECT ?a ?m ?o WHERE {{ GRAPH <https://w3id.org/clkg/graph/{SL}> {{
        ?p a clkg:Proposition ; rdfs:label "{label}" ; clkg:antecedent ?a ; clkg:mediator ?m ; clkg:outcome ?o }} }}""")
    assert [row[k].rsplit("/", 1)[1] for k in "amo"] == [antecedent, mediator, outcome]


# --- Hibbert et al. 2010 -------------------------------------------------------------------

def test_hibbert_four_photonics_clusters_of_table_3(store):
    clusters = {c["name"]: c for c in cases(store, HIBBERT).values()}
    expected = {"Berlin-Brandenburg": ("260", "7400", "Germany", "8"),
                "Southern Arizona": ("250", "25000", "USA", "12"),
                "Scotland": ("90", "4000", "UK", "14"),
                "West Midlands": ("60", None, "UK", "5")}  # staff data N/A stays unknown
    assert set(clusters) == set(expected)
    for name, (firms, staff, country, interviews) in expected.items():
        c = clusters[name]
        assert (c["firms"], c["staff"], c["country"], c["interviews"]) == (firms, staff, country, interviews)
        assert c["kind"].endswith("#RegionalCluster") and c["sector"].endswith("/photonics")


def test_hibbert_interviewed_organizations(store):
    rows = select(store, f"""SELECT ?cluster (COUNT(DISTINCT ?o) AS ?n) (SUM(?i) AS ?interviews) WHERE {{
        GRAPH <https://w3id.org/clkg/graph/{HIBBERT}> {{
          ?o a clkg:MemberOrganization ; clkg:interviewCount ?i ; org:hasMembership/org:organization ?c .
          ?c rdfs:label ?cluster }} }} GROUP BY ?cluster""")
    got = {r["cluster"]: (int(r["n"]), int(r["interviews"])) for r in rows}
    assert got == {"Berlin-Brandenburg": (6, 8), "Southern Arizona": (8, 12),
                   "Scotland": (10, 14), "West Midlands": (4, 5)}


@pytest.mark.parametrize("name, types", [
    ("Raytheon Missile Systems", {"large-company"}),  # the shifted Type column, read one line down
    ("Southern Arizona Technology Council", {"regional-development-agency"}),
    ("AOIA / Breault Research", {"cluster-representative", "sme"}),
    ("Max-Born-Institute for Nonlinear Optics and Short Pulse Spectroscopy", {"research-organization"}),
    ("OpTecBB e.V.", {"cluster-representative", "network-administrative-organization"}),
])
def test_hibbert_organization_types(store, name, types):
    rows = select(store, f"""SELECT ?t WHERE {{ GRAPH <https://w3id.org/clkg/graph/{HIBBERT}> {{
        ?o rdfs:label "{name}" ; org:classification ?t }} }}""")
    assert {r["t"].rsplit("/", 1)[1] for r in rows} == types


def test_hibbert_every_quotation_has_a_speaker_role(store):
    rows = select(store, f"""SELECT ?q ?label ?case ?note WHERE {{ GRAPH <https://w3id.org/clkg/graph/{HIBBERT}> {{
        ?q a clkg:Quotation ; oa:exact ?t ; clkg:spokenBy ?who . ?who clkg:roleLabel ?label .
        OPTIONAL {{ ?q clkg:inCase ?case }} OPTIONAL {{ ?who skos:editorialNote ?note }} }} }}""")
    assert len(rows) == 24  # counted in the Authority and Anomie sections
    assert sum(r["label"] == "Large Company Representative" for r in rows) == 5
    # the paper names no speaker's cluster: a quotation has a case only where its text pins it down,
    # and otherwise its speaker carries the encoder's note saying so
    assert all(r["case"] or r["note"] for r in rows)


def test_every_quotation_is_attributed(store):
    """Every quotation of both studies has a speaker; every case it names is a case of its study."""
    rows = select(store, """SELECT ?q ?case ?study ?caseStudy WHERE {
        ?q a clkg:Quotation ; dcterms:source ?study .
        OPTIONAL { ?q clkg:spokenBy ?who }
        OPTIONAL { ?q clkg:inCase ?case . ?case clkg:caseOf ?caseStudy }
        FILTER(!BOUND(?who) || (BOUND(?case) && ?caseStudy != ?study)) }""")
    assert rows == []


def test_hibbert_table_4_barrier_findings_cover_all_nine_barriers(store):
    rows = select(store, f"""SELECT DISTINCT ?b WHERE {{ GRAPH <https://w3id.org/clkg/graph/{HIBBERT}> {{
        ?f a clkg:Finding ; dcterms:subject ?b }}
        GRAPH <https://w3id.org/clkg/graph/ontology> {{ ?b a clkg:Barrier }} }}""")
    assert len(rows) == 9
