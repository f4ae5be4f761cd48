"""clkg: a knowledge graph of research on learning in clusters and cluster initiatives.

The Python API mirrors the command line; answers come back as pandas DataFrames::

    import clkg
    store = clkg.open_store("oxigraph:.clkg/store")   # or "sparql:http://host/sparql"
    clkg.list_queries()                               # saved questions, as a DataFrame
    clkg.query("barrier-matrix", store=store)
    clkg.query("evidence-for-finding", store=store, finding="https://…")
    clkg.compare("cases", store=store)
    report = clkg.validate("data/my-study")           # report.conforms, report.results

Heavy libraries are imported only when a function is called.
"""

__version__ = "0.1.0"


def open_store(spec: str | None = None, *, read_only: bool = False):
    """The store a spec names: ``oxigraph:PATH`` or ``sparql:URL`` (default ``oxigraph:.clkg/store``);
    see :func:`clkg.store.open_store`."""
    from clkg.store import open_store as _open

    return _open(spec, read_only=read_only)


def list_queries():
    """The saved queries: name, title, question, parameters, columns."""
    import pandas as pd

    from clkg.saved_queries import saved_queries

    return pd.DataFrame([{"name": q.name, "title": q.title, "question": q.question,
                          "parameters": ", ".join(q.params), "columns": ", ".join(q.columns)}
                         for q in saved_queries().values()])


def query(name: str, *, store=None, **params):
    """Answer a saved query; parameters by keyword (IRIs or CURIEs). Returns a DataFrame."""
    from clkg.saved_queries import run_query

    return _frame(run_query(store or open_store(), name, {k: str(v) for k, v in params.items()}))


def compare(what: str = "studies", *, store=None):
    """The comparison table (``studies`` or ``cases`` as columns, properties as rows)."""
    from clkg.saved_queries import run_query
    from clkg.tables import pivot

    from clkg.errors import UsageError

    if what not in ("studies", "cases"):
        raise UsageError("compare takes 'studies' or 'cases'")
    return _frame(pivot(run_query(store or open_store(), f"compare-{what}"))).set_index("property")


def validate(path):
    """Validate a dataset (folder, .xlsx or RDF file) without touching any store."""
    from clkg.loaders import read_dataset
    from clkg.validation import validate as _validate
    from clkg.vocabulary import prefixes

    return _validate(read_dataset(path, prefixes=prefixes()))


def _frame(table):
    import pandas as pd

    return pd.DataFrame(table.rows, columns=table.columns)
