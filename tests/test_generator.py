"""The synthetic-corpus generator (benchmarks/generate.py): deterministic, and its output validates."""

import filecmp

from support import generator

import clkg


def test_generated_studies_validate(tmp_path):
    generate = generator()
    folders = generate.write_corpus(tmp_path, studies=2, seed=7)
    assert len(folders) == 2
    for folder in folders:
        report = clkg.validate(folder)
        assert report.conforms, [str(r) for r in report.results if r.severity == "Violation"][:5]
        assert {p.name for p in folder.glob("*.csv")} >= {"study.csv", "concepts.csv", "findings.csv"}
        own = _own_concepts(folder)
        assert len(own) == generate.CODEBOOK + 1  # the codebook and one new sector value


def _own_concepts(folder) -> set[str]:
    from clkg.loaders import read_dataset
    from clkg.namespaces import dataset_base
    from clkg.prefixes import converter

    dataset = read_dataset(folder, prefixes=converter())
    concept = "http://www.w3.org/2004/02/skos/core#Concept"
    return {q.subject.value for q in dataset.quads if q.object.value == concept
            and q.subject.value.startswith(dataset_base(dataset.study_id))}


def test_same_seed_same_corpus(tmp_path):
    generate = generator()
    first = generate.write_corpus(tmp_path / "a", studies=2, seed=3)
    second = generate.write_corpus(tmp_path / "b", studies=2, seed=3)
    for a, b in zip(first, second):
        match, mismatch, errors = filecmp.cmpfiles(a, b, [p.name for p in a.glob("*.csv")], shallow=False)
        assert not mismatch and not errors and len(match) == 11
