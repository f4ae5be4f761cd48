"""clkg: a knowledge graph of research on learning in clusters and cluster initiatives.

The Python API mirrors the command line; answers come back as pandas DataFrames::

    import clkg
    with clkg.open_store("oxigraph:.clkg/store") as store:   # or "sparql:http://host/sparql"
        clkg.list_queries()                                  # saved questions, as a DataFrame
        clkg.query("barrier-matrix", store=store)
        clkg.query("quotations-by-concept", store=store, concept="plb:anomie")
        clkg.compare("cases", store=store)
    report = clkg.validate("data/my-study")                  # report.conforms, report.results
    clkg.load(["data/my-study"], store=writable_store)        # validated, then written atomically

Every function takes ``store=`` and reuses it; without it, the default store
($CLKG_STORE or oxigraph:.clkg/store) is opened for the call and closed again. Reading never
creates a store: a missing one, or one without the ontology, raises :class:`clkg.errors.StoreMissing`.
Heavy libraries are imported only when a function is called.
"""

__version__ = "0.2.0"


def open_store(spec: str | None = None, *, read_only: bool = False):
    """The store a spec names: ``oxigraph:PATH`` or ``sparql:URL`` (default ``$CLKG_STORE`` or
    ``oxigraph:.clkg/store``); a context manager.

    :raises StoreMissing: ``read_only`` and there is no store there.
    :raises StoreLocked: another process holds the embedded store for writing.
    :raises UsageError: the spec names no kind of store clkg knows.
    """
    from clkg.store import open_store as _open

    return _open(spec, read_only=read_only)


def list_queries():
    """The saved queries: name, title, question, parameters (with their descriptions), columns."""
    import pandas as pd

    from clkg.saved_queries import saved_queries

    return pd.DataFrame([{"name": q.name, "title": q.title, "question": q.question,
                          "parameters": "; ".join(f"{p.name} ({p.kind}{', required' if p.required else ''}): "
                                                  f"{p.description}" for p in q.params.values()),
                          "columns": ", ".join(q.columns)}
                         for q in saved_queries().values()])


def query(name: str, *, store=None, iris: bool = False, **params):
    """Answer a saved query; parameters by keyword (IRIs or CURIEs). Returns a DataFrame whose
    IRIs are CURIEs where a prefix covers them (``iris=True`` keeps them whole).

    :raises UsageError: an unknown query, parameter or parameter value.
    :raises StoreMissing: no store, or a store without the ontology.
    """
    from clkg.api import reading
    from clkg.saved_queries import run_query

    with reading(store) as s:
        return _frame(run_query(s, name, {k: str(v) for k, v in params.items()}), s, iris)


def compare(what: str = "studies", *, store=None, iris: bool = False):
    """The comparison table (``studies`` or ``cases`` as columns, properties as rows).

    :raises UsageError: ``what`` is neither.
    :raises StoreMissing: no store, or a store without the ontology.
    """
    from clkg.api import reading
    from clkg.errors import UsageError
    from clkg.saved_queries import run_query
    from clkg.tables import pivot

    if what not in ("studies", "cases"):
        raise UsageError(f"compare takes 'studies' or 'cases', not {what!r}")
    with reading(store) as s:
        return _frame(pivot(run_query(s, f"compare-{what}")), s, iris).set_index("property")


def validate(path, *, store=None):
    """Validate a dataset (folder, .xlsx or RDF file); concepts of the studies in ``store`` (if
    given) count as known. Never writes anything.

    :raises InputError: the dataset cannot be read.
    """
    from clkg.loaders import read_dataset
    from clkg.prefixes import converter, store_prefixes
    from clkg.validation import concept_index, validate as _validate

    prefixes = converter(store_prefixes(store)) if store is not None else converter()
    dataset = read_dataset(path, prefixes=prefixes)
    return _validate(dataset, context=concept_index(store, [dataset]) if store is not None else [])


def load(paths, *, store=None, replace: bool = False, force: bool = False):
    """Validate datasets and write them into the store, all or nothing (see
    :func:`clkg.pipeline.load`); returns the load report. Nothing is done when nothing changed
    since the same datasets were loaded (the report lists them as ``unchanged``), unless ``force``.

    :raises InputError: an input cannot be read, or its study_id clashes.
    :raises Invalid: a dataset does not conform to the shapes.
    :raises StoreError: the store cannot be written.
    """
    from clkg.pipeline import load as _load

    paths = [paths] if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__") else list(paths)
    if store is not None:
        return _load(store, paths, replace=replace, force=force)
    with open_store() as opened:
        return _load(opened, paths, replace=replace, force=force)


def _frame(table, store, iris: bool):
    import pandas as pd

    if not iris:
        from clkg.prefixes import converter, store_prefixes
        from clkg.tables import shortened

        table = shortened(table, converter(store_prefixes(store)))
    return pd.DataFrame(table.rows, columns=table.columns)
