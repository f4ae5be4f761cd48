"""Validation and inference of many datasets on every core (clkg.parallel): the same reports and
graphs as in one process, the same errors."""

import os

import pytest

from support import generator

from clkg.errors import InputError, Problem, UsageError
from clkg.loaders import read_datasets
from clkg.parallel import MIN_ITEMS, mapped, workers
from clkg.pipeline import batch_context, dataset_graphs
from clkg.prefixes import converter
from clkg.validation import validate


def _square_or_fail(n: int) -> int:
    if n == 5:
        raise InputError([Problem("item-5.csv", "five is not welcome", row=5, column="n")])
    return n * n


def test_workers_keep_the_order_of_the_items(monkeypatch):
    monkeypatch.setenv("CLKG_WORKERS", "2")
    items = [n for n in range(3 * MIN_ITEMS) if n != 5]
    assert mapped(_square_or_fail, items, description="squaring", unit="n") == [n * n for n in items]
    pids = set(mapped(lambda _: os.getpid(), items, description="asking", unit="n"))
    assert pids and os.getpid() not in pids and len(pids) <= 2


def test_few_items_or_one_worker_stay_in_this_process(monkeypatch):
    monkeypatch.setenv("CLKG_WORKERS", "2")
    assert set(mapped(lambda _: os.getpid(), range(MIN_ITEMS - 1), description="asking", unit="n")) == {os.getpid()}
    monkeypatch.setenv("CLKG_WORKERS", "1")
    assert set(mapped(lambda _: os.getpid(), range(MIN_ITEMS * 2), description="asking", unit="n")) == {os.getpid()}


def test_an_error_in_a_worker_is_raised_here_with_its_problems(monkeypatch):
    monkeypatch.setenv("CLKG_WORKERS", "2")
    with pytest.raises(InputError) as raised:
        mapped(_square_or_fail, list(range(2 * MIN_ITEMS)), description="squaring", unit="n")
    assert raised.value.problems == [Problem("item-5.csv", "five is not welcome", row=5, column="n")]


@pytest.mark.parametrize("text", ["0", "-1", "two", "1.5", ""])
def test_a_bad_worker_count_is_refused(monkeypatch, text):
    monkeypatch.setenv("CLKG_WORKERS", text)
    with pytest.raises(UsageError, match="CLKG_WORKERS"):
        workers()


def test_many_datasets_validate_and_infer_alike_in_workers_and_alone(tmp_path, monkeypatch):
    folders = generator().write_corpus(tmp_path, studies=MIN_ITEMS, seed=5)
    datasets = read_datasets(folders, prefixes=converter())
    context = batch_context(datasets)

    def run(count: str):
        monkeypatch.setenv("CLKG_WORKERS", count)
        reports = mapped(lambda ds: validate(ds, context=context), datasets, description="validating",
                         unit="dataset")
        graphs = dataset_graphs(datasets, context=context)
        return [r.as_json() for r in reports], {g: sorted(map(str, quads)) for g, quads in graphs.items()}

    alone, in_workers = run("1"), run("2")
    assert in_workers == alone
    assert len(alone[1]) == 2 * MIN_ITEMS and all(alone[1].values())
    assert all(report["conforms"] for report in alone[0])
