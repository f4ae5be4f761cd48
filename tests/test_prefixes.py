"""clkg.prefixes: the one converter for CURIEs, read from the ontology files' own declarations."""

import re

import pytest

from clkg.prefixes import compress, converter, expand, shorten_iris
from clkg.resources import ontology_files

_PREFIX_LINE = re.compile(r"^\s*@prefix\s+([A-Za-z][\w.-]*):\s*<([^>]*)>\s*\.", re.MULTILINE)
_VANN = re.compile(r'vann:preferredNamespacePrefix\s+"([^"]+)"\s*;\s*vann:preferredNamespaceUri\s+"([^"]+)"')


def declared() -> dict[str, str]:
    """{prefix: namespace} as the ontology files write them (@prefix lines and vann annotations)."""
    found: dict[str, set[str]] = {}
    for path in ontology_files():
        text = path.read_text(encoding="utf-8")
        for prefix, namespace in _PREFIX_LINE.findall(text) + _VANN.findall(text):
            found.setdefault(prefix, set()).add(namespace)
    clashes = {p: ns for p, ns in found.items() if len(ns) > 1}
    assert not clashes, f"the ontology files give one prefix two namespaces: {clashes}"
    return {p: ns.pop() for p, ns in found.items()}


def ontology_namespace() -> tuple[str, str]:
    """(prefix, namespace) the ontology declares for itself with vann."""
    found = [m for path in ontology_files() for m in _VANN.findall(path.read_text(encoding="utf-8"))]
    assert len(found) == 1, found
    return found[0]


STUDY = ("stx", "https://w3id.org/clkg/data/st-x/concept/")


def test_converter_has_every_prefix_the_ontology_declares():
    prefixes = declared()
    assert len(prefixes) > 1
    conv = converter()
    for prefix, namespace in prefixes.items():
        assert conv.prefix_map.get(prefix) == namespace, prefix
        assert expand(f"{prefix}:x", conv) == namespace + "x"
        assert compress(namespace + "x", conv) == f"{prefix}:x"
    assert set(conv.prefix_map) == set(prefixes)


def test_converter_adds_a_study_prefix_without_changing_the_ontology_one():
    prefix, namespace = STUDY
    conv = converter({prefix: namespace})
    assert expand(f"{prefix}:inter-clustering", conv) == namespace + "inter-clustering"
    assert compress(namespace + "inter-clustering", conv) == f"{prefix}:inter-clustering"
    assert expand(f"{prefix}:a", converter()) is None   # the shared converter is not changed
    own, ontology = ontology_namespace()
    hijack = converter({own: "https://example.org/other#"})
    assert hijack.prefix_map[own] == ontology


def test_converter_keeps_one_prefix_per_namespace():
    own, ontology = ontology_namespace()
    assert compress(ontology + "C", converter({"alias": ontology})) == f"{own}:C"   # the ontology's wins
    prefix, namespace = STUDY
    renamed = converter({prefix: namespace, "stx2": namespace})   # a study that changed its prefix
    assert compress(namespace + "c", renamed) == "stx2:c"
    assert expand("stx2:c", renamed) == namespace + "c"
    assert expand(f"{prefix}:c", renamed) is None


def test_a_study_that_renamed_its_prefix_still_reads(tmp_path):
    from clkg.loaders import read_datasets
    from clkg.namespaces import concept_namespace

    (tmp_path / "study.csv").write_text("study_id,title,prefix,source\nst-x,T,newp,p. 1\n", encoding="utf-8")
    (tmp_path / "cases.csv").write_text("case_id,name,kind,source\nc1,One,RegionalCluster,p. 2\n",
                                        encoding="utf-8")
    # the store still records the study's old prefix for the same namespace
    [dataset] = read_datasets([tmp_path], prefixes={"oldp": concept_namespace("st-x")})
    assert dataset.prefix == "newp"


@pytest.mark.parametrize("text", ["http://example.org/a", "https://example.org/a#b", "urn:isbn:0451450523"])
def test_expand_passes_full_iris_through(text):
    assert expand(text, converter()) == text


@pytest.mark.parametrize("text", ["no colon here", "", "1abc:x", "has space:x", ":x", "ünï:x", "nosuchprefix:x"])
def test_expand_refuses_what_is_no_known_curie(text):
    assert expand(text, converter()) is None


def test_compress_passes_through_what_no_prefix_covers():
    conv = converter()
    for iri in ("https://example.org/nowhere", "urn:x:y", "not an iri"):
        assert compress(iri, conv) == iri


def test_compress_longest_namespace_wins():
    own, ontology = ontology_namespace()
    parent = ontology[: ontology.rstrip("/#").rindex("/") + 1]   # e.g. https://w3id.org/clkg/
    conv = converter({"wide": parent, "ex": "https://example.org/", "exb": "https://example.org/b/"})
    assert compress(ontology + "Cluster", conv) == f"{own}:Cluster"
    assert compress(parent + "other", conv) == "wide:other"
    assert compress("https://example.org/b/c", conv) == "exb:c"
    assert compress("https://example.org/a", conv) == "ex:a"


@pytest.mark.parametrize("template, expected", [
    ("see {}Cluster.", "see {p}:Cluster."),
    ("see {}Cluster, then", "see {p}:Cluster, then"),
    ("({}Cluster)", "({p}:Cluster)"),
    ("'{}Cluster'", "'{p}:Cluster'"),
    ('"{}Cluster"', '"{p}:Cluster"'),
    ("value <{}Cluster> is not", "value {p}:Cluster is not"),
    ("{0}A and {0}B;", "{p}:A and {p}:B;"),
    ("<{}A> <https://example.org/x> https://example.org/y.", "{p}:A <https://example.org/x> https://example.org/y."),
    ("no iri at all: a <b> c", "no iri at all: a <b> c"),
])
def test_shorten_iris_in_a_message(template, expected):
    own, ontology = ontology_namespace()
    text = template.replace("{0}", ontology).replace("{}", ontology)
    assert shorten_iris(text, converter()) == expected.replace("{p}", own)
