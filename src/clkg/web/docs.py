"""Documentation of the ontology: HTML made by pyLODE from the shipped ``ontology/`` files, for
``/ontology`` and for ``clkg docs -o DIR``."""

import re
from pathlib import Path

from clkg.namespaces import CLKG


def ontology_html() -> str:
    """The ontology documented by pyLODE (one self-contained HTML page), with an anchor for each
    clkg term's own fragment, so that ``https://w3id.org/clkg/ontology#Finding`` lands on it."""
    import logging

    import rdflib
    from pylode import OntPub

    from clkg.resources import ontology_files

    logging.getLogger().setLevel(logging.WARNING)  # pyLODE sets the root logger to DEBUG on import

    graph = rdflib.Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    doc = OntPub(ontology=graph)
    html = doc.make_html()
    for iri, fid in doc.fids.items():
        fragment = iri[len(CLKG):] if iri.startswith(CLKG) else None
        if not fragment or not fid or fragment == fid or f'id="{fragment}"' in html:
            continue
        element = re.search(r'<\w+[^>]*\sid="' + re.escape(fid) + '"', html)
        if element:
            html = f'{html[:element.start()]}<span id="{fragment}"></span>{html[element.start():]}'
    return html


def ontology_rdf(media: str) -> bytes:
    """The ontology and its concept schemes in one RDF document (a media type of clkg.web.media.GRAPHS)."""
    import io

    from pyoxigraph import Triple

    from clkg.vocabulary import ontology_quads
    from clkg.web.media import serialize_triples

    out = io.BytesIO()
    serialize_triples([Triple(q.subject, q.predicate, q.object) for q in ontology_quads()], out, media)
    return out.getvalue()


def write_docs(directory: Path) -> list[Path]:
    """Write the documentation for publishing: ``index.html`` and the ontology as
    ``clkg.ttl`` and ``clkg.jsonld``; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {"index.html": ontology_html().encode("utf-8"), "clkg.ttl": ontology_rdf("text/turtle"),
             "clkg.jsonld": ontology_rdf("application/ld+json")}
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return [directory / name for name in files]


class Generating:
    """:func:`ontology_html` made in a process of its own (pyLODE takes seconds): :attr:`future`
    gets the HTML; :meth:`stop` ends the process if it is still at work.

    The process holds only the writing end of its pipe, so that it cannot outlive the server: if
    the server is gone, its write fails (a ``ProcessPoolExecutor``'s worker holds both ends of its
    result queue, and one that was writing a large result when the server stopped stayed blocked
    for ever)."""

    def __init__(self):
        import multiprocessing
        import threading
        from concurrent.futures import Future

        context = multiprocessing.get_context("spawn")
        self.future: Future = Future()
        self.future.set_running_or_notify_cancel()  # so that a request that gives up waiting cannot cancel it
        reader, writer = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_html, args=(writer,), daemon=True, name="clkg-docs")
        self._process.start()
        writer.close()
        threading.Thread(target=self._receive, args=(reader,), daemon=True, name="clkg-docs").start()

    def _receive(self, reader) -> None:
        try:
            kind, value = reader.recv()
        except Exception as err:  # it died, or its message cannot be read: said on /ontology
            kind, value = "error", f"the process making the documentation stopped ({type(err).__name__})"
        finally:
            reader.close()
        self._process.join()
        if kind == "ok":
            self.future.set_result(value)
        else:
            self.future.set_exception(RuntimeError(value))

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


def _send_html(writer) -> None:
    """In the documentation's process: ("ok", the HTML) or ("error", why) to the server."""
    try:
        message = ("ok", ontology_html())
    except Exception as err:  # told to the server, which shows an error page for /ontology
        message = ("error", f"the documentation could not be made: {type(err).__name__}: {err}")
    writer.send(message)
    writer.close()
