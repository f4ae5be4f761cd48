"""A throw-away Virtuoso 7 for the tests: own database folder, free loopback ports.

Debian's ``virtuoso-opensource`` package gives ``virtuoso-t`` (the server) and ``isql-vt`` (its SQL
client). :func:`start` copies the package's virtuoso.ini, points every database file at a fresh
folder, listens on 127.0.0.1 only, runs the server in the foreground as a child process (so that it
can always be killed), waits until the SPARQL endpoint answers and lets the anonymous ``SPARQL``
user update (``GRANT SPARQL_UPDATE TO "SPARQL"``). :meth:`Virtuoso.stop` shuts it down with
``isql-vt PORT dba dba -K`` and kills it if it has not exited in time.
"""

import configparser
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from servers import HOST, answers, free_port

SYSTEM_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def installed() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


@dataclass
class Virtuoso:
    folder: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen
    started_in: float = 0.0
    stopped_in: float | None = None

    @property
    def sparql(self) -> str:
        """The SPARQL endpoint (queries, and updates after the grant)."""
        return f"http://{HOST}:{self.http_port}/sparql"

    @property
    def graph_crud(self) -> str:
        """The Graph Store Protocol endpoint."""
        return f"http://{HOST}:{self.http_port}/sparql-graph-crud"

    def isql(self, *statements: str, timeout: float = 60) -> str:
        """Run SQL statements as dba; their output (raises if isql-vt fails)."""
        script = "".join(s.rstrip().rstrip(";") + ";\n" for s in statements)
        out = subprocess.run(["isql-vt", str(self.sql_port), "dba", "dba", "VERBOSE=OFF",
                              "BANNER=OFF", "PROMPT=OFF", "ERRORS=STDOUT"],
                             input=script, capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0 or "*** Error" in out.stdout:
            raise RuntimeError(f"isql-vt failed ({out.returncode}): {out.stdout}{out.stderr}")
        return out.stdout

    def log(self) -> str:
        path = self.folder / "virtuoso.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, timeout: float = 60) -> None:
        """Shut down (checkpoint and exit); kill the server if that takes longer than ``timeout``."""
        if self.process.poll() is not None:
            return
        started = time.perf_counter()
        try:
            subprocess.run(["isql-vt", str(self.sql_port), "dba", "dba", "-K"],
                           capture_output=True, timeout=timeout)
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.stopped_in = time.perf_counter() - started


def _config(folder: Path, sql_port: int, http_port: int) -> configparser.RawConfigParser:
    ini = configparser.RawConfigParser(strict=False, inline_comment_prefixes=(";",), interpolation=None)
    ini.optionxform = str  # Virtuoso's keys are case-sensitive
    ini.read(SYSTEM_INI)
    db = ini["Database"]
    for key, name in [("DatabaseFile", "virtuoso.db"), ("ErrorLogFile", "virtuoso.log"),
                      ("LockFile", "virtuoso.lck"), ("TransactionFile", "virtuoso.trx"),
                      ("xa_persistent_file", "virtuoso.pxa")]:
        db[key] = str(folder / name)
    temp = ini["TempDatabase"]
    temp["DatabaseFile"] = str(folder / "virtuoso-temp.db")
    temp["TransactionFile"] = str(folder / "virtuoso-temp.trx")
    params = ini["Parameters"]
    params["ServerPort"] = f"{HOST}:{sql_port}"
    params["DirsAllowed"] = f"., {folder}, /usr/share/virtuoso-opensource-7/vad"
    params["NumberOfBuffers"] = "10000"
    params["MaxDirtyBuffers"] = "6000"
    ini["HTTPServer"]["ServerPort"] = f"{HOST}:{http_port}"
    ini["URIQA"]["DefaultHost"] = f"{HOST}:{http_port}"
    return ini


def start(folder: Path, *, timeout: float = 120) -> Virtuoso:
    """Start a fresh Virtuoso with its database in ``folder``; ready to query and update."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for attempt in range(3):  # a free port can be taken between choosing and binding it
        sql_port, http_port = free_port(), free_port()
        if sql_port == http_port:
            continue
        ini_path = folder / "virtuoso.ini"
        with ini_path.open("w") as out:
            _config(folder, sql_port, http_port).write(out)
        log = (folder / "stdout.log").open("ab")
        process = subprocess.Popen(["virtuoso-t", "+configfile", str(ini_path), "+foreground"],
                                   cwd=folder, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        server = Virtuoso(folder, sql_port, http_port, process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None and not answers(server.sparql):
            time.sleep(0.25)
        if process.poll() is None and answers(server.sparql):
            try:
                server.isql('GRANT SPARQL_UPDATE TO "SPARQL"')
            except Exception:
                server.stop()
                raise
            server.started_in = time.perf_counter() - started
            return server
        if process.poll() is None:  # still starting after the timeout: give up
            server.stop(timeout=10)
            raise TimeoutError(f"Virtuoso did not answer within {timeout} s:\n{server.log()[-3000:]}")
        for name in ("virtuoso.db", "virtuoso.trx", "virtuoso.lck"):
            (folder / name).unlink(missing_ok=True)
    raise RuntimeError(f"Virtuoso did not start:\n{server.log()[-3000:]}")
