"""A throw-away Oxigraph server for the tests: own database folder, a free loopback port.

``oxigraph`` (the server binary, ``pip install oxigraph``; in the ``test`` extra) serves a folder
with ``oxigraph serve --location DIR --bind 127.0.0.1:PORT --union-default-graph``: SPARQL queries
at ``/query``, updates at ``/update`` and the Graph Store Protocol at ``/store``, hence the spec
:attr:`OxigraphServer.spec`; its default graph is the union of its graphs, so that clkg can read it
with either dataset (``#…&dataset=server`` added to the spec reads the default graph).
:func:`start` runs it as a child process and waits until it answers; :meth:`OxigraphServer.stop`
terminates it, and kills it if it has not exited in time.
"""

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from servers import HOST, answers, free_port


def installed() -> bool:
    return shutil.which("oxigraph") is not None


@dataclass
class OxigraphServer:
    folder: Path
    port: int
    process: subprocess.Popen
    started_in: float = 0.0

    @property
    def query(self) -> str:
        return f"http://{HOST}:{self.port}/query"

    @property
    def spec(self) -> str:
        """The clkg store spec of this server."""
        return f"sparql:{self.query}#update=update&gsp=store"
    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start(folder: Path, *, timeout: float = 60, union: bool = True) -> OxigraphServer:
    """Start a fresh Oxigraph server with its data in ``folder``/data; ready to query and update;
    its default graph the union of its graphs unless ``union`` is False."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for attempt in range(3):  # a free port can be taken between choosing and binding it
        port = free_port()
        log = (folder / "server.log").open("ab")
        process = subprocess.Popen(["oxigraph", "serve", "--location", str(folder / "data"),
                                    "--bind", f"{HOST}:{port}"] + ["--union-default-graph"] * union,
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        server = OxigraphServer(folder, port, process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None and not answers(server.query):
            time.sleep(0.1)
        if process.poll() is None and answers(server.query):
            server.started_in = time.perf_counter() - started
            return server
        server.stop(timeout=10)
        if time.monotonic() >= deadline:
            raise TimeoutError(f"the Oxigraph server did not answer within {timeout} s:\n{server.log()[-3000:]}")
    raise RuntimeError(f"the Oxigraph server did not start:\n{server.log()[-3000:]}")
