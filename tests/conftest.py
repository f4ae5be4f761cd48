"""Shared fixtures: the seed data built once (with HermiT) into a throw-away store, and the SPARQL
servers (Virtuoso, Oxigraph server), each started once per session on loopback.

Without a server's binary its tests are skipped, except under CI (``CI`` set), where they fail.
"""

import pytest

import oxigraph_server as oxigraph_serve
import virtuoso
from support import DATA, require


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


def _served(tmp_path_factory, server_module, reason: str):
    """A server of ``server_module`` (its ``installed`` and ``start``) for the session; stopped after."""
    require(server_module.installed(), reason)
    server = server_module.start(tmp_path_factory.mktemp(server_module.__name__))
    yield server
    server.stop()
    assert server.process.returncode is not None


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    yield from _served(tmp_path_factory, virtuoso, "Virtuoso is not installed: virtuoso-t and isql-vt come "
                       "with `apt-get install virtuoso-opensource` (.ci/run installs it)")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    yield from _served(tmp_path_factory, oxigraph_serve, "the Oxigraph server is not installed: `pip install "
                       "oxigraph` (in the test extra) gives the `oxigraph` command")
