"""Shared fixtures: the seed data built once (with HermiT) into a throw-away store."""

import pytest

from support import DATA


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(store, build report) for the ontology and both seed datasets in a fresh on-disk store."""
    from clkg.pipeline import build
    from clkg.store import open_store

    store = open_store(f"oxigraph:{tmp_path_factory.mktemp('store') / 'oxigraph'}")
    report = build(store, data_dir=DATA, log=lambda line: None)
    return store, report


@pytest.fixture(scope="session")
def store(built):
    return built[0]
