"""The SHACL shapes (shapes/*.ttl): the seed datasets conform with exactly the expected warnings,
and every rule fires - with its shape, severity, file, row and column - when one cell breaks it.

Rules the CSV loader already enforces (required cells, datatypes, ids that resolve) cannot be
broken through a CSV file: their tests read a seed dataset and then change its triples, as a
dataset given as an RDF file could be; the rows still trace back to the CSV files.
"""

import csv
import json
import shutil
import time
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from support import DATA, HIBBERT, SL, run_clkg

SH = "https://w3id.org/clkg/shapes#"
CLKG = "https://w3id.org/clkg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCT = "http://purl.org/dc/terms/"


# ---- helpers -----------------------------------------------------------------------------------

def read(path):
    from clkg.loaders import read_dataset
    from clkg.vocabulary import prefixes

    return read_dataset(path, prefixes=prefixes())


def check(dataset):
    from clkg.validation import validate

    return validate(dataset)


def copy(tmp_path, study):
    folder = tmp_path / study
    shutil.copytree(DATA / study, folder)
    return folder


def rows(folder, table):
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def row_of(folder, table, key):
    """The spreadsheet row number of the record whose id (first column) is key."""
    header, records = rows(folder, table)
    return next(n for n, r in enumerate(records, start=2) if r[header[0]] == key)


def edit(folder, table, key, column, value):
    """Set one cell of the record whose id is key; returns that record's row number."""
    header, records = rows(folder, table)
    record = next(r for r in records if r[header[0]] == key)
    record[column] = value
    with open(folder / f"{table}.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return row_of(folder, table, key)


def append(folder, table, **cells):
    """Add one record to a table (the file is created with its headers if missing)."""
    from clkg.loaders.casedata import tables

    path = folder / f"{table}.csv"
    header = tables()[table].headers if not path.exists() else rows(folder, table)[0]
    records = rows(folder, table)[1] if path.exists() else []
    records.append({h: cells.get(h, "") for h in header})
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    return len(records) + 1


def by_shape(report, shape):
    return [r for r in report.results if r.shape == SH + shape]


def counts(report, severity):
    found = {}
    for r in report.results:
        if r.severity == severity:
            name = r.shape.removeprefix(SH)
            found[name] = found.get(name, 0) + 1
    return found


def assert_messages_filled(report):
    """No message shows a placeholder of its shape's template ("{?value}") unfilled."""
    assert not [r.message for r in report.results if "{?" in r.message or "{$" in r.message]


def assert_reported(report, shape, severity, file=None, row=None, column=None, *, words=()):
    """At least one result of the shape, with this severity and location; returns it."""
    found = by_shape(report, shape)
    assert found, f"no result of {shape}; got: " + "\n".join(map(str, report.results))
    located = [r for r in found if r.severity == severity
               and (file is None or (r.file and Path(r.file).name == file))
               and (row is None or r.row == row) and (column is None or r.column == column)]
    assert located, f"{shape} reported elsewhere: " + "\n".join(
        f"{r.severity} {r.file} {r.row} {r.column}: {r.message}" for r in found)
    for word in words:
        assert any(word in r.message for r in located), (word, [r.message for r in located])
    return located[0]


def data_iri(study, path):
    return NamedNode(f"https://w3id.org/clkg/data/{study}/{path}")


def clkg(name):
    return NamedNode(CLKG + name)


def without(dataset, subject=None, predicate=None, obj=None):
    """The dataset less the triples that match (None matches anything)."""
    def matches(q):
        return ((subject is None or q.subject == subject) and (predicate is None or q.predicate == predicate)
                and (obj is None or q.object == obj))
    dataset.quads = [q for q in dataset.quads if not matches(q)]
    return dataset


def adding(dataset, *triples):
    graph = NamedNode(dataset.graph)
    dataset.quads = [*dataset.quads, *(Quad(s, p, o, graph) for s, p, o in triples)]
    return dataset


# ---- the seed datasets -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_reports():
    return {study: check(read(DATA / study)) for study in (HIBBERT, SL)}


def _unlinked_findings(study):
    """Finding ids that no quotation supports, read from the CSV files (an oracle for R5)."""
    folder = DATA / study
    supported, sections = set(), set()
    for q in rows(folder, "quotations")[1]:
        supported |= {s.strip() for s in q["supports"].split(";") if s.strip()}
        sections.add(q["source"].split(" (")[0])
    unlinked = {f["finding_id"]: f["source"] for f in rows(folder, "findings")[1]
                if f["finding_id"] not in supported}
    return ({f for f, source in unlinked.items() if source in sections},
            {f for f, source in unlinked.items() if source not in sections})


def test_seed_datasets_have_no_violations(seed_reports):
    for study, report in seed_reports.items():
        assert report.conforms, "\n".join(map(str, report.results))
        assert report.count("Violation") == 0
        assert all(r.file and r.row for r in report.results)


def test_hibbert_warnings_are_unlinked_findings_of_quoted_sections(seed_reports):
    """Hibbert et al. print 24 quotations in the six sections Authority/Anomie x actor-centred,
    cluster-fragmenting, cluster-spanning; 35 of the 76 findings are supported by at least one.
    25 findings of those six sections are supported by none (the authors' argument around the
    quotations): warnings. The 16 others come from the section introductions and closing
    paragraphs, Table 4, the methods and the implications, where the paper prints no
    quotation: infos. Hibbert has no sample strata, no migrations, no
    propositions, no founding years and no member counts, so R2, R3, R6 and R8 have nothing to
    check; every organization is typed (R7) and every informant without a case has a note."""
    report = seed_reports[HIBBERT]
    assert counts(report, "Warning") == {"FindingWithoutEvidenceShape": 25}
    assert counts(report, "Info") == {"FindingEvidencedByPaperShape": 16}
    warned, informed = _unlinked_findings(HIBBERT)
    assert (len(warned), len(informed)) == (25, 16)
    folder = DATA / HIBBERT
    assert {r.row for r in by_shape(report, "FindingWithoutEvidenceShape")} == {
        row_of(folder, "findings", f) for f in warned}
    assert {r.row for r in by_shape(report, "FindingEvidencedByPaperShape")} == {
        row_of(folder, "findings", f) for f in informed}
    assert "over-reliance-on-focal-actors" in warned and "researchers-participated-in-bb-meetings" in informed


def test_social_learning_warnings_are_the_metal_cis_ending_at_level_3(seed_reports):
    """The one warning of Social learning in cluster initiatives: finding f-metal-ends-at-level3
    ('in the metal CIs the ways of learning ended with the third-level forms') is about
    motivating and educating in metal-a and metal-b, which observations.csv records as not
    observed there - the finding states their absence (2 warnings, one per concept). The
    paper's quotations are all in Tables 5 and 6, so the 62 findings no quotation supports
    (80 findings less the 18 that Tables 5-6 quotations support) rest on the text: infos.
    Sample strata add up (Table 2: 11 + 7 + 6 + 11 = 35 interviews), founding years 2007-2009
    precede the 2016 fieldwork, and the one migration that skips a level (participants to
    locomotives) is recorded as not observed."""
    report = seed_reports[SL]
    assert counts(report, "Warning") == {"FindingContradictsObservationShape": 2}
    assert counts(report, "Info") == {"FindingEvidencedByPaperShape": 62}
    row = row_of(DATA / SL, "findings", "f-metal-ends-at-level3")
    warnings = by_shape(report, "FindingContradictsObservationShape")
    assert {(r.row, r.column) for r in warnings} == {(row, "concepts")}
    assert {r.value.rsplit("/", 1)[1] for r in warnings} == {"motivating", "educating"}
    warned, informed = _unlinked_findings(SL)
    assert (len(warned), len(informed)) == (0, 62)


def test_validation_is_fast(seed_reports):
    """One dataset validates well within a second on an idle machine (SPARQL targets, no
    per-record SPARQL); the bound leaves room for a loaded test machine."""
    for study in (HIBBERT, SL):
        dataset = read(DATA / study)
        best = min(_timed(dataset) for _ in range(2))
        assert best < 2.0, f"{study}: {best:.2f} s"


def _timed(dataset):
    start = time.perf_counter()
    check(dataset)
    return time.perf_counter() - start


# ---- each rule, broken through one CSV cell or row ---------------------------------------------

# (test id, study, edits, shape, severity, file, row key (table, id) or None, column, words)
# An edit is (table, id, column, value); the result must be on the row of the given key.
CSV_CASES = [
    # R1: the cases' interviews add up to the study's (Table 2: 11 + 7 + 6 + 11 = 35)
    ("R1 study total", SL, [("study", "social-learning-cis", "interview_count", "47")],
     "StudyInterviewTotalShape", "Violation", "study.csv", ("study", "social-learning-cis"), "interview_count",
     ["47", "35"]),
    ("R1 known cases exceed the total", HIBBERT,
     [("cases", "west-midlands", "interview_count", ""), ("cases", "scotland", "interview_count", "30")],
     "StudyInterviewTotalShape", "Violation", "study.csv", ("study", "hibbert-2010"), "interview_count",
     ["39", "50"]),
    # R2: no more interviewed organizations than members (West Midlands: 4 organizations interviewed)
    ("R2 members", HIBBERT, [("cases", "west-midlands", "member_count", "3")],
     "CaseInterviewedOrganizationsShape", "Violation", "cases.csv", ("cases", "west-midlands"), "member_count",
     ["3 members", "4"]),
    # R3: founded after the fieldwork (2016), or in the future
    ("R3 after fieldwork", SL, [("cases", "metal-a", "founded", "2017")],
     "CaseFoundedAfterFieldworkShape", "Violation", "cases.csv", ("cases", "metal-a"), "founded",
     ["2017", "fieldwork_end", "2016"]),
    ("R3 in the future", HIBBERT,
     [("study", "hibbert-2010", c, "") for c in ("year", "fieldwork_start", "fieldwork_end")]
     + [("cases", "scotland", "founded", "2099")],
     "CaseFoundedAfterFieldworkShape", "Violation", "cases.csv", ("cases", "scotland"), "founded",
     ["2099", "future"]),
    # R4: a quotation of Metal Cluster A at the locomotive level, where no locomotives were seen
    ("R4 quotation at an absent level", SL,
     [("quotations", "t6-r3-cit-a4", "illustrates", "slf:initiating-cooperation;slf:verification-of-trust")],
     "PlacementContradictsObservationShape", "Violation", "quotations.csv", ("quotations", "t6-r3-cit-a4"),
     "illustrates", ["slf:initiating-cooperation", "metal-a", "metal-a-locomotives"]),
    ("R4 quotation of an absent way of learning", SL,
     [("quotations", "t6-r3-cit-a4", "illustrates", "slf:demonstrating;slf:motivating")],
     "PlacementContradictsObservationShape", "Violation", "quotations.csv", ("quotations", "t6-r3-cit-a4"),
     "illustrates", ["slf:motivating", "metal-a-motivating"]),
    ("R4 quotation of a CoP practice", SL,
     [("quotations", "t6-r2-quo-a6", "illustrates", "slf:initiating-and-working-in-project-groups")],
     "PlacementContradictsObservationShape", "Violation", "quotations.csv", ("quotations", "t6-r2-quo-a6"),
     "illustrates", ["metal-a-locomotives"]),
    ("R4 two observations disagree", SL, [("observations", "metal-a-inspiring", "concept", "slf:educating")],
     "PlacementContradictsObservationShape", "Violation", "observations.csv", ("observations", "metal-a-inspiring"),
     "concept", ["slf:educating", "metal-a-educating"]),
    ("R4 level present, way of learning absent", SL,
     [("observations", "metal-a-locomotives", "observed", "true")],
     "PlacementContradictsObservationShape", "Violation", "observations.csv",
     ("observations", "metal-a-locomotives"), "concept", ["metal-a-motivating", "metal-a-educating"]),
    ("R4 finding (warning)", SL,
     [("findings", "f-cooperators-metal-collective-goals", "concepts", "slf:cooperators;slf:locomotives")],
     "FindingContradictsObservationShape", "Warning", "findings.csv",
     ("findings", "f-cooperators-metal-collective-goals"), "concepts", ["slf:locomotives", "metal-a"]),
    # R5: a finding of a quoted section with no quotation linked
    ("R5 unlinked finding", HIBBERT, [("quotations", "q19", "supports", "t4-relational-factors-undermining-trust")],
     "FindingWithoutEvidenceShape", "Warning", "findings.csv", ("findings", "coordination-body-as-competitor"),
     None, []),
    ("R5 finding of a table of quotations", SL,
     [("findings", "f-level2-priority-information", "source", "Table 6, row 2")],
     "FindingWithoutEvidenceShape", "Warning", "findings.csv", ("findings", "f-level2-priority-information"),
     None, []),
    ("R5 finding evidenced by the paper (info)", SL,
     [("quotations", "t6-r4-quo-d5", "supports", "f-l4-profile")],
     "FindingEvidencedByPaperShape", "Info", "findings.csv", ("findings", "f-level4-co-creation"), None, []),
    # R6: a migration that skips a level, now said to happen
    ("R6 level skipped", SL, [("migrations", "m-participants-to-locomotives", "frequency", "freq:very-seldom")],
     "MigrationSkipsLevelShape", "Warning", "migrations.csv", ("migrations", "m-participants-to-locomotives"),
     "to_level", ["slf:active-participation", "slf:initiating-cooperation"]),
    # R7: an organization without type
    ("R7 untyped organization", HIBBERT, [("organizations", "dlr", "types", "")],
     "OrganizationWithoutTypeShape", "Warning", "organizations.csv", ("organizations", "dlr"), "types", []),
    # R8: the sample strata of Metal Cluster A (2C + 4E + 4R&D + 1B = 11)
    ("R8 strata", SL, [("sample", "metal-a-c", "interview_count", "3")],
     "SampleStrataTotalShape", "Violation", "cases.csv", ("cases", "metal-a"), "interview_count", ["11", "12"]),
    # extra rules
    ("organizations' interviews exceed the case's", HIBBERT,
     [("organizations", "max-born-institute", "interview_count", "5")],
     "OrganizationInterviewsWithinCaseShape", "Violation", "cases.csv", ("cases", "berlin-brandenburg"),
     "interview_count", ["8", "11"]),
    ("quotation case differs from its speaker's", SL, [("quotations", "t5-r1-b2", "case_id", "ict-b")],
     "QuotationCaseMatchesSpeakerShape", "Violation", "quotations.csv", ("quotations", "t5-r1-b2"), "case_id",
     ["ict-b", "b2", "ict-a"]),
    ("informant's organization in another case", HIBBERT,
     [("informants", "q22-speaker", "organization_id", "max-born-institute")],
     "InformantOrganizationCaseShape", "Violation", "informants.csv", ("informants", "q22-speaker"),
     "organization_id", ["southern-arizona", "max-born-institute", "berlin-brandenburg"]),
    ("evidence from a case the finding does not cover", SL, [("findings", "f-dead-souls-defined", "cases", "metal-a")],
     "EvidenceFromOtherCaseShape", "Warning", "quotations.csv", ("quotations", "t5-r1-b2"), "supports",
     ["ict-a", "f-dead-souls-defined"]),
    ("two cases share a code", SL, [("cases", "ict-b", "code", "A")],
     "CaseCodeUniqueShape", "Violation", "cases.csv", ("cases", "ict-b"), None, []),
    ("informant with neither case nor note", HIBBERT, [("informants", "q01-speaker", "note", "")],
     "InformantWithoutCaseShape", "Warning", "informants.csv", ("informants", "q01-speaker"), None, []),
    # controlled vocabularies
    ("unknown observed concept", SL, [("observations", "metal-a-dead-souls", "concept", "slf:dead-sols")],
     "KnownConceptShape", "Violation", "observations.csv", ("observations", "metal-a-dead-souls"), "concept",
     ["slf:dead-sols"]),
    ("unknown illustrated concept", HIBBERT, [("quotations", "q07", "illustrates", "plb:authority;plb:anomy")],
     "KnownConceptShape", "Violation", "quotations.csv", ("quotations", "q07"), "illustrates", ["plb:anomy"]),
    ("unknown finding concept", SL, [("findings", "f-identity-inferred", "concepts", "slf:common-identity")],
     "KnownConceptShape", "Violation", "findings.csv", ("findings", "f-identity-inferred"), "concepts",
     ["slf:common-identity"]),
    ("concept of another framework", HIBBERT,
     [("findings", "authority-centralization", "concepts", "plb:authority;slf:dead-souls")],
     "ConceptOutsideFrameworkShape", "Warning", "findings.csv", ("findings", "authority-centralization"),
     "concepts", ["slf:dead-souls", "slf:scheme", "plb:scheme"]),
    ("sector of another scheme", SL, [("cases", "metal-a", "sector", "orgtype:sme")],
     "Case-sectorVocabulary", "Violation", "cases.csv", ("cases", "metal-a"), "sector", []),
    ("unknown sector", HIBBERT, [("cases", "scotland", "sector", "sector:optics")],
     "Case-sectorVocabulary", "Violation", "cases.csv", ("cases", "scotland"), "sector", []),
    ("initiative type of another scheme", SL, [("cases", "ict-a", "initiative_type", "sector:ict")],
     "Case-initiativeTypeVocabulary", "Violation", "cases.csv", ("cases", "ict-a"), "initiative_type", []),
    ("organization type of another scheme", HIBBERT, [("organizations", "dlr", "types", "orgtype:sme;role:coordinator")],
     "Organization-typeVocabulary", "Violation", "organizations.csv", ("organizations", "dlr"), "types", []),
    ("member group as involvement level", HIBBERT, [("organizations", "dlr", "involvement_level", "slf:locomotives")],
     "Membership-levelVocabulary", "Violation", "organizations.csv", ("organizations", "dlr"), "involvement_level",
     []),
    ("informant role of another scheme", HIBBERT, [("informants", "q02-speaker", "role", "orgtype:research-organization")],
     "Role-vocabulary", "Violation", "informants.csv", ("informants", "q02-speaker"), "role", []),
    ("sample role of another scheme", SL, [("sample", "ict-a-e", "role", "orgtype:enterprise")],
     "Role-vocabulary", "Violation", "sample.csv", ("sample", "ict-a-e"), "role", []),
    ("member group as from level", SL, [("migrations", "m-dead-souls-to-participants", "from_level", "slf:dead-souls")],
     "Migration-fromLevelVocabulary", "Violation", "migrations.csv", ("migrations", "m-dead-souls-to-participants"),
     "from_level", []),
    ("member group as to level", SL, [("migrations", "m-dead-souls-to-participants", "to_level", "slf:participants")],
     "Migration-toLevelVocabulary", "Violation", "migrations.csv", ("migrations", "m-dead-souls-to-participants"),
     "to_level", []),
    ("unknown frequency", SL, [("migrations", "m-cooperators-to-locomotives", "frequency", "freq:rarely")],
     "Migration-frequencyVocabulary", "Violation", "migrations.csv", ("migrations", "m-cooperators-to-locomotives"),
     "frequency", []),
    ("antecedent not a construct", SL, [("propositions", "p1", "antecedent", "slf:participants")],
     "Proposition-antecedentVocabulary", "Violation", "propositions.csv", ("propositions", "p1"), "antecedent", []),
    ("mediator not a construct", SL, [("propositions", "p2", "mediator", "slf:demonstrating")],
     "Proposition-mediatorVocabulary", "Violation", "propositions.csv", ("propositions", "p2"), "mediator", []),
    ("outcome not a construct", SL, [("propositions", "p3", "outcome", "slf:access-to-knowledge")],
     "Proposition-outcomeVocabulary", "Violation", "propositions.csv", ("propositions", "p3"), "outcome", []),
    ("framework not a scheme", HIBBERT, [("study", "hibbert-2010", "frameworks", "plb:anomie")],
     "Study-framework", "Violation", "study.csv", ("study", "hibbert-2010"), "frameworks", []),
    # class shapes: ranges and orders the loader lets through
    ("founding year before 1800", SL, [("cases", "ict-a", "founded", "1750")],
     "Case-founded", "Violation", "cases.csv", ("cases", "ict-a"), "founded", []),
    ("founding year 3016", SL, [("cases", "metal-b", "founded", "3016")],
     "Case-founded", "Violation", "cases.csv", ("cases", "metal-b"), "founded", []),
    ("publication year before 1800", HIBBERT, [("study", "hibbert-2010", "year", "1010")],
     "Study-year", "Violation", "study.csv", ("study", "hibbert-2010"), "year", []),
    ("fieldwork start before 1800", SL, [("study", "social-learning-cis", "fieldwork_start", "1016")],
     "Study-fieldworkStart", "Violation", "study.csv", ("study", "social-learning-cis"), "fieldwork_start", []),
    ("fieldwork end after 2100", SL, [("study", "social-learning-cis", "fieldwork_end", "2160")],
     "Study-fieldworkEnd", "Violation", "study.csv", ("study", "social-learning-cis"), "fieldwork_end", []),
    ("fieldwork ends before it starts", SL, [("study", "social-learning-cis", "fieldwork_start", "2017")],
     "Study-fieldworkOrder", "Violation", "study.csv", ("study", "social-learning-cis"), "fieldwork_start", []),
    ("fieldwork after publication", HIBBERT,
     [("study", "hibbert-2010", "fieldwork_start", "2011"), ("study", "hibbert-2010", "fieldwork_end", "2012")],
     "Study-fieldworkBeforePublication", "Violation", "study.csv", ("study", "hibbert-2010"), "fieldwork_start", []),
    ("no hours of interviews", SL, [("study", "social-learning-cis", "interview_hours", "0")],
     "Study-interviewHours", "Violation", "study.csv", ("study", "social-learning-cis"), "interview_hours", []),
    ("interviews of no minutes", HIBBERT, [("study", "hibbert-2010", "interview_minutes_mean", "0")],
     "Study-interviewMinutesMean", "Violation", "study.csv", ("study", "hibbert-2010"), "interview_minutes_mean", []),
    ("migration to the same level", SL,
     [("migrations", "m-participants-to-cooperators", "to_level", "slf:active-participation")],
     "Migration-distinctLevels", "Violation", "migrations.csv", ("migrations", "m-participants-to-cooperators"),
     "to_level", []),
    ("proposition from a construct to itself", SL, [("propositions", "p1", "outcome", "slf:involvement")],
     "Proposition-distinctConstructs", "Violation", "propositions.csv", ("propositions", "p1"), "outcome", []),
]


@pytest.mark.parametrize("case", CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_rule_fires_on_one_bad_cell(tmp_path, case):
    _, study, edits, shape, severity, file, key, column, words = case
    folder = copy(tmp_path, study)
    for table, record, col, value in edits:
        edit(folder, table, record, col, value)
    report = check(read(folder))
    row = row_of(folder, *key)
    assert_reported(report, shape, severity, file, row, column, words=words)
    if severity == "Violation":
        assert not report.conforms
    assert all(r.file and r.row for r in report.results), "every result of a CSV dataset names its row"
    assert_messages_filled(report)


def test_duplicate_quotation_is_reported_on_both_rows(tmp_path):
    folder = copy(tmp_path, HIBBERT)
    text = next(q["text"] for q in rows(folder, "quotations")[1] if q["quotation_id"] == "q23")
    edit(folder, "quotations", "q24", "text", text)
    report = check(read(folder))
    found = by_shape(report, "DuplicateQuotationShape")
    assert {(r.severity, Path(r.file).name, r.row, r.column) for r in found} == {
        ("Warning", "quotations.csv", row_of(folder, "quotations", q), "text") for q in ("q23", "q24")}
    assert any("q23" in r.message for r in found)
    assert report.conforms


def test_organization_at_an_absent_level_contradicts_the_observations(tmp_path):
    """R4 through organizations.csv: an organization of Metal Cluster A at the locomotive level."""
    folder = copy(tmp_path, SL)
    row = append(folder, "organizations", organization_id="firm-x", case_id="metal-a", types="orgtype:sme",
                 involvement_level="slf:initiating-cooperation", interview_count="1", source="Table 2")
    report = check(read(folder))
    assert_reported(report, "PlacementContradictsObservationShape", "Violation", "organizations.csv", row,
                    "involvement_level", words=["slf:initiating-cooperation", "metal-a-locomotives"])


def test_partial_case_counts_below_the_total_are_fine(tmp_path):
    """R1 compares the sum only where every case gives a count; otherwise only an excess is wrong."""
    folder = copy(tmp_path, HIBBERT)
    edit(folder, "cases", "west-midlands", "interview_count", "")
    assert not by_shape(check(read(folder)), "StudyInterviewTotalShape")


def test_not_observed_skip_is_not_a_warning(seed_reports):
    """R6 exempts m-participants-to-locomotives: the paper says the skip was not noticed."""
    assert not by_shape(seed_reports[SL], "MigrationSkipsLevelShape")


# ---- rules the loader enforces first: the triples of a read dataset, changed ------------------

def _sl():
    return read(DATA / SL)


def _hibbert():
    return read(DATA / HIBBERT)


def _replace_object(dataset, subject, predicate, new):
    graph = NamedNode(dataset.graph)
    dataset.quads = [Quad(q.subject, q.predicate, new, graph) if (q.subject, q.predicate) == (subject, predicate)
                     else q for q in dataset.quads]
    return dataset


SL_CASE = data_iri(SL, "case/metal-a")
SL_STUDY = data_iri(SL, "study")
H_STUDY = data_iri(HIBBERT, "study")

# (test id, dataset builder, shape, severity, file, row key, column)
TRIPLE_CASES = [
    ("record without id", lambda: without(_sl(), SL_CASE, NamedNode(DCT + "identifier")),
     "Record-identifier", "Violation", "cases.csv", ("cases", "metal-a"), "case_id"),
    ("record id with a space", lambda: _replace_object(_sl(), SL_CASE, NamedNode(DCT + "identifier"),
                                                       Literal("metal a")),
     "Record-identifier", "Violation", "cases.csv", ("cases", "metal-a"), "case_id"),
    ("record without source", lambda: without(_hibbert(), data_iri(HIBBERT, "quotation/q05"), clkg("locator")),
     "Record-locator", "Violation", "quotations.csv", ("quotations", "q05"), "source"),
    ("record of no study", lambda: without(_sl(), data_iri(SL, "finding/f-l1-profile"), NamedNode(DCT + "source")),
     "Record-study", "Violation", "findings.csv", ("findings", "f-l1-profile"), None),
    ("study without title", lambda: without(_hibbert(), H_STUDY, NamedNode(DCT + "title")),
     "Study-title", "Violation", "study.csv", ("study", "hibbert-2010"), "title"),
    ("study with two titles", lambda: adding(_hibbert(), (H_STUDY, NamedNode(DCT + "title"), Literal("Other"))),
     "Study-title", "Violation", "study.csv", ("study", "hibbert-2010"), "title"),
    ("study without cases", lambda: without(_sl(), None, clkg("caseOf")),
     "Study-cases", "Violation", "study.csv", ("study", "social-learning-cis"), None),
    ("negative interview count", lambda: _replace_object(_sl(), SL_STUDY, clkg("interviewCount"),
                                                         Literal("-35", datatype=NamedNode(XSD + "integer"))),
     "Study-interviewCount", "Violation", "study.csv", ("study", "social-learning-cis"), "interview_count"),
    ("count that is not a whole number", lambda: _replace_object(_sl(), SL_CASE, clkg("memberCount"),
                                                                 Literal("35.5", datatype=NamedNode(XSD + "decimal"))),
     "Case-memberCount", "Violation", "cases.csv", ("cases", "metal-a"), "member_count"),
    ("year that is text", lambda: _replace_object(_sl(), SL_CASE, clkg("foundedYear"), Literal("2008")),
     "Case-founded", "Violation", "cases.csv", ("cases", "metal-a"), "founded"),
    ("case without name", lambda: without(_sl(), SL_CASE, NamedNode("http://www.w3.org/2000/01/rdf-schema#label")),
     "Case-name", "Violation", "cases.csv", ("cases", "metal-a"), "name"),
    ("case of no kind", lambda: without(_sl(), SL_CASE, NamedNode(RDF_TYPE), clkg("ClusterInitiative")),
     "Case-kind", "Violation", "cases.csv", ("cases", "metal-a"), "kind"),
    ("case of both kinds", lambda: adding(_sl(), (SL_CASE, NamedNode(RDF_TYPE), clkg("RegionalCluster"))),
     "Case-kind", "Violation", "cases.csv", ("cases", "metal-a"), "kind"),
    ("case of no study", lambda: without(_sl(), SL_CASE, clkg("caseOf")),
     "Case-study", "Violation", "cases.csv", ("cases", "metal-a"), None),
    ("cluster initiative that is no case", lambda: without(_sl(), SL_CASE, NamedNode(RDF_TYPE), clkg("Case")),
     "ClusterInitiativeShape", "Violation", "cases.csv", ("cases", "metal-a"), None),
    ("organization in no case", lambda: without(_hibbert(), data_iri(HIBBERT, "organization/dlr"),
                                                NamedNode("http://www.w3.org/ns/org#hasMembership")),
     "Organization-membership", "Violation", "organizations.csv", ("organizations", "dlr"), None),
    ("membership without case", lambda: without(_hibbert(), data_iri(HIBBERT, "membership/dlr"),
                                                NamedNode("http://www.w3.org/ns/org#organization")),
     "Membership-case", "Violation", "organizations.csv", ("organizations", "dlr"), "case_id"),
    ("informant of two cases", lambda: adding(_sl(), (data_iri(SL, "informant/a4"), clkg("informantOf"),
                                                      data_iri(SL, "case/ict-a"))),
     "Informant-case", "Violation", "informants.csv", ("informants", "a4"), "case_id"),
    ("sample row without count", lambda: without(_sl(), data_iri(SL, "stratum/ict-b-e"), clkg("interviewCount")),
     "Stratum-interviewCount", "Violation", "sample.csv", ("sample", "ict-b-e"), "interview_count"),
    ("observation without verdict", lambda: without(_sl(), data_iri(SL, "observation/ict-a-educating"),
                                                    clkg("observed")),
     "Observation-observed", "Violation", "observations.csv", ("observations", "ict-a-educating"), "observed"),
    ("observation verdict that is text", lambda: _replace_object(
        _sl(), data_iri(SL, "observation/ict-a-educating"), clkg("observed"), Literal("yes")),
     "Observation-observed", "Violation", "observations.csv", ("observations", "ict-a-educating"), "observed"),
    ("observation of no concept", lambda: without(_sl(), data_iri(SL, "observation/ict-a-educating"),
                                                  clkg("observedConcept")),
     "Observation-concept", "Violation", "observations.csv", ("observations", "ict-a-educating"), "concept"),
    ("finding without statement", lambda: without(_hibbert(), data_iri(HIBBERT, "finding/inward-turn"),
                                                  clkg("statement")),
     "Finding-statement", "Violation", "findings.csv", ("findings", "inward-turn"), "statement"),
    ("proposition without label", lambda: without(_sl(), data_iri(SL, "proposition/p2"),
                                                  NamedNode("http://www.w3.org/2000/01/rdf-schema#label")),
     "Proposition-label", "Violation", "propositions.csv", ("propositions", "p2"), "label"),
    ("proposition without antecedent", lambda: without(_sl(), data_iri(SL, "proposition/p2"), clkg("antecedent")),
     "Proposition-antecedent", "Violation", "propositions.csv", ("propositions", "p2"), "antecedent"),
    ("proposition without outcome", lambda: without(_sl(), data_iri(SL, "proposition/p2"), clkg("outcome")),
     "Proposition-outcome", "Violation", "propositions.csv", ("propositions", "p2"), "outcome"),
    ("quotation without text", lambda: without(_hibbert(), data_iri(HIBBERT, "quotation/q10"),
                                               NamedNode("http://www.w3.org/ns/oa#exact")),
     "Quotation-text", "Violation", "quotations.csv", ("quotations", "q10"), "text"),
    ("quotation without speaker", lambda: without(_hibbert(), data_iri(HIBBERT, "quotation/q10"), clkg("spokenBy")),
     "Quotation-speaker", "Violation", "quotations.csv", ("quotations", "q10"), "speaker"),
    ("migration without from level", lambda: without(_sl(), data_iri(SL, "migration/m-dead-souls-to-participants"),
                                                     clkg("fromLevel")),
     "Migration-from", "Violation", "migrations.csv", ("migrations", "m-dead-souls-to-participants"), "from_level"),
    ("migration without frequency", lambda: without(_sl(), data_iri(SL, "migration/m-dead-souls-to-participants"),
                                                    clkg("frequency")),
     "Migration-frequency", "Violation", "migrations.csv", ("migrations", "m-dead-souls-to-participants"),
     "frequency"),
    # one value per cell, of the right kind
    ("case with two codes", lambda: adding(_sl(), (SL_CASE, clkg("caseCode"), Literal("Z"))),
     "Case-code", "Violation", "cases.csv", ("cases", "metal-a"), "code"),
    ("case with two sectors", lambda: adding(_sl(), (SL_CASE, clkg("sector"),
                                                     NamedNode("https://w3id.org/clkg/scheme/sector/ict"))),
     "Case-sector", "Violation", "cases.csv", ("cases", "metal-a"), "sector"),
    ("case with two initiative types", lambda: adding(_sl(), (SL_CASE, clkg("initiativeType"),
                                                              NamedNode("https://w3id.org/clkg/scheme/initiative-type/top-down"))),
     "Case-initiativeType", "Violation", "cases.csv", ("cases", "metal-a"), "initiative_type"),
    ("negative firm count", lambda: _replace_object(_hibbert(), data_iri(HIBBERT, "case/scotland"), clkg("firmCount"),
                                                    Literal("-90", datatype=NamedNode(XSD + "integer"))),
     "Case-firmCount", "Violation", "cases.csv", ("cases", "scotland"), "firm_count"),
    ("staff count that is a decimal", lambda: _replace_object(_hibbert(), data_iri(HIBBERT, "case/scotland"),
                                                              clkg("staffCount"),
                                                              Literal("4000.5", datatype=NamedNode(XSD + "decimal"))),
     "Case-staffCount", "Violation", "cases.csv", ("cases", "scotland"), "staff_count"),
    ("case with two interview counts", lambda: adding(_sl(), (SL_CASE, clkg("interviewCount"),
                                                              Literal("12", datatype=NamedNode(XSD + "nonNegativeInteger")))),
     "Case-interviewCount", "Violation", "cases.csv", ("cases", "metal-a"), "interview_count"),
    ("regional cluster that is no case", lambda: without(_hibbert(), data_iri(HIBBERT, "case/scotland"),
                                                         NamedNode(RDF_TYPE), clkg("Case")),
     "RegionalClusterShape", "Violation", "cases.csv", ("cases", "scotland"), None),
    ("study author that is not text", lambda: adding(_hibbert(), (H_STUDY, NamedNode(DCT + "creator"),
                                                                  data_iri(HIBBERT, "informant/q01-speaker"))),
     "Study-authors", "Violation", "study.csv", ("study", "hibbert-2010"), "authors"),
    ("negative interviewee count", lambda: adding(_sl(), (SL_STUDY, clkg("intervieweeCount"),
                                                          Literal("-1", datatype=NamedNode(XSD + "integer")))),
     "Study-intervieweeCount", "Violation", "study.csv", ("study", "social-learning-cis"), "interviewee_count"),
    ("organization with two names", lambda: adding(_hibbert(), (data_iri(HIBBERT, "organization/dlr"),
                                                                NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                                                                Literal("DLR"))),
     "Organization-name", "Violation", "organizations.csv", ("organizations", "dlr"), "name"),
    ("organization interview count that is text", lambda: _replace_object(
        _hibbert(), data_iri(HIBBERT, "organization/dlr"), clkg("interviewCount"), Literal("one")),
     "Organization-interviewCount", "Violation", "organizations.csv", ("organizations", "dlr"), "interview_count"),
    ("membership at two levels", lambda: adding(
        _hibbert(),
        (data_iri(HIBBERT, "membership/dlr"), NamedNode("http://www.w3.org/ns/org#role"),
         NamedNode("https://w3id.org/clkg/scheme/social-learning/active-participation")),
        (data_iri(HIBBERT, "membership/dlr"), NamedNode("http://www.w3.org/ns/org#role"),
         NamedNode("https://w3id.org/clkg/scheme/social-learning/passive-participation"))),
     "Membership-level", "Violation", "organizations.csv", ("organizations", "dlr"), "involvement_level"),
    ("membership of no member", lambda: without(_hibbert(), data_iri(HIBBERT, "membership/dlr"),
                                                NamedNode("http://www.w3.org/ns/org#member")),
     "Membership-member", "Violation", "organizations.csv", ("organizations", "dlr"), None),
    ("informant with two codes", lambda: adding(_sl(), (data_iri(SL, "informant/d5"), clkg("informantCode"),
                                                        Literal("D6"))),
     "Informant-code", "Violation", "informants.csv", ("informants", "d5"), "code"),
    ("informant of two organizations", lambda: adding(
        _hibbert(), (data_iri(HIBBERT, "informant/q05-speaker"), clkg("represents"), data_iri(HIBBERT, "organization/dlr")),
        (data_iri(HIBBERT, "informant/q05-speaker"), clkg("represents"), data_iri(HIBBERT, "organization/mergeoptics"))),
     "Informant-organization", "Violation", "informants.csv", ("informants", "q05-speaker"), "organization_id"),
    ("informant with two role labels", lambda: adding(_hibbert(), (data_iri(HIBBERT, "informant/q05-speaker"),
                                                                   clkg("roleLabel"), Literal("Consultant"))),
     "Informant-roleLabel", "Violation", "informants.csv", ("informants", "q05-speaker"), "role_label"),
    ("sample row of no case", lambda: without(_sl(), data_iri(SL, "stratum/ict-b-e"), clkg("inCase")),
     "Stratum-case", "Violation", "sample.csv", ("sample", "ict-b-e"), "case_id"),
    ("sample row with two roles", lambda: adding(_sl(), (data_iri(SL, "stratum/ict-b-e"), clkg("informantRole"),
                                                         NamedNode("https://w3id.org/clkg/scheme/informant-role/coordinator"))),
     "Stratum-role", "Violation", "sample.csv", ("sample", "ict-b-e"), "role"),
    ("observation of no case", lambda: without(_sl(), data_iri(SL, "observation/ict-a-educating"), clkg("inCase")),
     "Observation-case", "Violation", "observations.csv", ("observations", "ict-a-educating"), "case_id"),
    ("observation with two intensities", lambda: adding(
        _sl(), (data_iri(SL, "observation/ict-a-dead-souls"), clkg("intensity"), Literal("fewer"))),
     "Observation-intensity", "Violation", "observations.csv", ("observations", "ict-a-dead-souls"), "intensity"),
    ("proposition with two mediators", lambda: adding(_sl(), (data_iri(SL, "proposition/p1"), clkg("mediator"),
                                                              NamedNode("https://w3id.org/clkg/scheme/social-learning/social-learning"))),
     "Proposition-mediator", "Violation", "propositions.csv", ("propositions", "p1"), "mediator"),
    ("quotation of two cases", lambda: adding(_sl(), (data_iri(SL, "quotation/t5-r1-d3"), clkg("inCase"),
                                                      data_iri(SL, "case/ict-a"))),
     "Quotation-case", "Violation", "quotations.csv", ("quotations", "t5-r1-d3"), "case_id"),
    ("migration without to level", lambda: without(_sl(), data_iri(SL, "migration/m-dead-souls-to-participants"),
                                                   clkg("toLevel")),
     "Migration-to", "Violation", "migrations.csv", ("migrations", "m-dead-souls-to-participants"), "to_level"),
    # references: resolve to a record of the right kind, of the same study
    ("quotation case that is no case", lambda: _replace_object(
        _sl(), data_iri(SL, "quotation/t5-r1-b2"), clkg("inCase"), data_iri(SL, "case/ict-z")),
     "InCaseReferenceShape", "Violation", "quotations.csv", ("quotations", "t5-r1-b2"), "case_id"),
    ("finding case that is no case", lambda: _replace_object(
        _sl(), data_iri(SL, "finding/f-locomotives-only-ict"), clkg("concernsCase"), data_iri(SL, "informant/a4")),
     "ConcernsCaseReferenceShape", "Violation", "findings.csv", ("findings", "f-locomotives-only-ict"), "cases"),
    ("informant case that is no case", lambda: _replace_object(
        _sl(), data_iri(SL, "informant/d1"), clkg("informantOf"), data_iri(HIBBERT, "case/scotland")),
     "InformantCaseReferenceShape", "Violation", "informants.csv", ("informants", "d1"), "case_id"),
    ("organization case that is no case", lambda: _replace_object(
        _hibbert(), data_iri(HIBBERT, "membership/soa"), NamedNode("http://www.w3.org/ns/org#organization"),
        data_iri(HIBBERT, "case/fife")),
     "MembershipCaseReferenceShape", "Violation", "organizations.csv", ("organizations", "soa"), "case_id"),
    ("membership of no organization", lambda: _replace_object(
        _hibbert(), data_iri(HIBBERT, "membership/soa"), NamedNode("http://www.w3.org/ns/org#member"),
        data_iri(HIBBERT, "case/scotland")),
     "MembershipMemberReferenceShape", "Violation", "organizations.csv", ("organizations", "soa"), None),
    ("speaker who is no informant", lambda: _replace_object(
        _hibbert(), data_iri(HIBBERT, "quotation/q03"), clkg("spokenBy"), data_iri(HIBBERT, "organization/dlr")),
     "QuotationSpeakerShape", "Violation", "quotations.csv", ("quotations", "q03"), "speaker"),
    ("organization represented that is none", lambda: adding(
        _hibbert(), (data_iri(HIBBERT, "informant/q01-speaker"), clkg("represents"), data_iri(HIBBERT, "case/scotland"))),
     "RepresentsReferenceShape", "Violation", "informants.csv", ("informants", "q01-speaker"), "organization_id"),
    ("supported finding that is none", lambda: adding(
        _hibbert(), (data_iri(HIBBERT, "quotation/q01"), clkg("supports"), data_iri(HIBBERT, "quotation/q02"))),
     "SupportsReferenceShape", "Violation", "quotations.csv", ("quotations", "q01"), "supports"),
    ("evidence that is no quotation", lambda: adding(
        _hibbert(), (data_iri(HIBBERT, "finding/inward-turn"), clkg("hasEvidence"), data_iri(HIBBERT, "finding/t4-dependency-culture"))),
     "HasEvidenceReferenceShape", "Violation", "findings.csv", ("findings", "inward-turn"), None),
]


@pytest.mark.parametrize("case", TRIPLE_CASES, ids=[c[0] for c in TRIPLE_CASES])
def test_rule_fires_on_changed_triples(case):
    _, build, shape, severity, file, key, column = case
    report = check(build())
    folder = DATA / (SL if "social-learning" in report.source else HIBBERT)
    assert_reported(report, shape, severity, file, row_of(folder, *key), column)
    assert not report.conforms
    assert_messages_filled(report)


def test_a_year_written_as_text_is_not_compared_with_years():
    """"2008" as a string is a wrong datatype (Case-founded), not a year after the 2016 fieldwork:
    SPARQL compares no string with a number (rdflib's SPARQL engine did, and R3 fired)."""
    report = check(_replace_object(_sl(), SL_CASE, clkg("foundedYear"), Literal("2008")))
    assert_reported(report, "Case-founded", "Violation", "cases.csv", row_of(DATA / SL, "cases", "metal-a"), "founded")
    assert not by_shape(report, "CaseFoundedAfterFieldworkShape")


def test_without_a_scheme_among_the_frameworks_no_concept_is_outside_them(tmp_path):
    """A study whose one framework is a concept, not a scheme, gets that Violation, not a Warning
    for every concept it uses (rdflib's SPARQL engine gave 315, with "{?frameworks}" unfilled)."""
    folder = copy(tmp_path, HIBBERT)
    edit(folder, "study", HIBBERT, "frameworks", "plb:anomie")
    report = check(read(folder))
    assert_reported(report, "Study-framework", "Violation", "study.csv", 2, "frameworks")
    assert not by_shape(report, "ConceptOutsideFrameworkShape")


NODE_SHAPES = {"StudyShape": "Study", "CaseShape": "Case", "MemberOrganizationShape": "MemberOrganization",
               "InformantShape": "Informant", "SampleStratumShape": "SampleStratum",
               "ObservationShape": "Observation", "FindingShape": "Finding", "PropositionShape": "Proposition",
               "QuotationShape": "Quotation", "MigrationShape": "Migration"}


@pytest.mark.parametrize("shape", [*NODE_SHAPES, "MembershipShape"])
def test_record_must_be_named_by_an_iri(shape):
    """A record that is a blank node can be neither referred to nor traced to its row."""
    from pyoxigraph import BlankNode

    record = BlankNode()
    kind = NamedNode("http://www.w3.org/ns/org#Membership") if shape == "MembershipShape" else clkg(NODE_SHAPES[shape])
    report = check(adding(_sl(), (record, NamedNode(RDF_TYPE), kind)))
    assert [r.severity for r in by_shape(report, shape)] == ["Violation"]


def test_speaker_of_another_study_is_reported():
    """A quotation's speaker must be an informant OF THE SAME STUDY, not just any informant."""
    other = data_iri("another-study", "study")
    speaker = data_iri(HIBBERT, "informant/q04-speaker")
    dataset = adding(without(_hibbert(), speaker, NamedNode(DCT + "source")),
                     (other, NamedNode(RDF_TYPE), clkg("Study")), (speaker, NamedNode(DCT + "source"), other))
    report = check(dataset)
    assert_reported(report, "QuotationSpeakerShape", "Violation", "quotations.csv",
                    row_of(DATA / HIBBERT, "quotations", "q04"), "speaker", words=["q04-speaker", "hibbert-2010"])
    assert_reported(report, "OneStudyShape", "Violation")


def test_record_without_input_row_is_a_warning():
    case = data_iri(SL, "case/ict-a")
    report = check(without(_sl(), case, NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")))
    found = [r for r in by_shape(report, "Record-derivedFrom") if r.focus == case.value]
    assert [(r.severity, r.file) for r in found] == [("Warning", None)]


def test_source_row_must_name_a_row():
    row = NamedNode(f"https://w3id.org/clkg/data/{SL}/cases.csv")
    report = check(adding(_sl(), (row, NamedNode(RDF_TYPE), clkg("SourceRow"))))
    assert [(r.severity, r.focus) for r in by_shape(report, "SourceRowShape")] == [("Violation", row.value)]


def test_every_shape_is_named_labelled_commented_and_has_a_message():
    import rdflib

    from clkg.validation import shapes_graph

    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    graph = shapes_graph()
    shapes = set(graph.subjects(rdflib.RDF.type, sh.NodeShape)) | set(graph.subjects(rdflib.RDF.type, sh.PropertyShape))
    shapes |= set(graph.objects(None, sh.property)) | set(graph.objects(None, sh.node))
    shapes |= set(graph.objects(None, sh.qualifiedValueShape))
    assert len(shapes) > 80
    for shape in shapes:
        assert isinstance(shape, rdflib.URIRef) and shape.startswith(SH), shape
        for prop in (rdflib.RDFS.label, rdflib.RDFS.comment, sh.message):
            assert graph.value(shape, prop) is not None, (shape, prop)
    targeted = {s for s in shapes if any(graph.value(s, p) is not None for p in (
        sh.targetClass, sh.targetNode, sh.targetSubjectsOf, sh.target))}
    assert len(targeted) > 60
    for shape in targeted:  # a deliberate severity, and the comment says why
        severity = graph.value(shape, sh.severity)
        assert severity in (sh.Violation, sh.Warning, sh.Info), shape
        assert severity.removeprefix(str(sh)) in graph.value(shape, rdflib.RDFS.comment), shape


# ---- the command line -------------------------------------------------------------------------

def test_validate_exits_1_on_a_violation_and_reports_json(tmp_path):
    folder = copy(tmp_path, SL)
    row = edit(folder, "observations", "metal-a-dead-souls", "concept", "slf:dead-sols")
    text = run_clkg("validate", folder, cwd=tmp_path)
    assert text.returncode == 1, text.stdout + text.stderr
    assert f"row {row}" in text.stdout and "slf:dead-sols" in text.stdout
    result = run_clkg("validate", "--format", "json", folder, cwd=tmp_path)
    assert result.returncode == 1
    reports = json.loads(result.stdout)
    assert reports[0]["conforms"] is False and reports[0]["counts"]["Violation"] == 1
    violation = next(r for r in reports[0]["results"] if r["severity"] == "Violation")
    assert {"file", "row", "column", "shape", "message"} <= set(violation)
    assert (Path(violation["file"]).name, violation["row"], violation["column"]) == ("observations.csv", row, "concept")
    assert violation["shape"] == SH + "KnownConceptShape"


def test_validate_exits_0_on_the_seed_data(tmp_path):
    result = run_clkg("validate", DATA / HIBBERT, DATA / SL, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 violations" in result.stdout
