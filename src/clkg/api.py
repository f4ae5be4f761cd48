"""What the Python API and the command line share: opening stores as the API promises."""

from contextlib import contextmanager

from clkg.errors import StoreMissing
from clkg.namespaces import ONTOLOGY_GRAPH

_HAS_ONTOLOGY = f"SELECT ?s WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }} LIMIT 1"


def require_ontology(store, *, spec: str) -> None:
    """:raises StoreMissing: the store holds no clkg ontology (it was never built or loaded)."""
    _, rows = store.select(_HAS_ONTOLOGY)
    if not rows:
        raise StoreMissing(f"the store {spec} holds no clkg ontology: run `clkg build` (or `clkg load`) first")


@contextmanager
def reading(store=None):
    """``store`` as it is, or the default store opened read-only for the duration (and closed)."""
    import os

    from clkg.store import DEFAULT_STORE, open_store

    if store is not None:
        require_ontology(store, spec=repr(store))
        yield store
        return

    with open_store(None, read_only=True) as opened:
        require_ontology(opened, spec=os.environ.get("CLKG_STORE") or DEFAULT_STORE)
        yield opened
