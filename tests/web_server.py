"""Helpers for the tests of `clkg serve`: the command started on a free loopback port, and
stopped; HTTP requests to it; the seed data with one quotation made hostile."""

import csv
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support import DATA

HOSTILE = '<script>window.__clkg_pwned = 1</script><img src=x onerror="window.__clkg_pwned = 2"> & "so on"'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str  # ends with /
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, *, accept: str | None = None, data: bytes | None = None,
          content_type: str | None = None, method: str | None = None, headers: dict | None = None) -> Answer:
    """One HTTP request; an error status is an answer too."""
    sent = dict(headers or {})
    if accept:
        sent["Accept"] = accept
    if content_type:
        sent["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as err:
        return Answer(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


@contextmanager
def served(spec: str, log: Path, *options: str):
    """`clkg --store SPEC serve` on a free port until the block ends; waits until it answers."""
    port = free_port()
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(["clkg", "--store", spec, "serve", "--port", str(port), *options],
                                   stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}/", process, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise AssertionError(f"clkg serve stopped (exit {process.returncode}):\n{server.output()}")
            try:
                with urllib.request.urlopen(server.url + "questions", timeout=5):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise AssertionError(f"clkg serve did not answer within 120 s:\n{server.output()}")
                time.sleep(0.3)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def hostile_data(folder: Path) -> tuple[str, str]:
    """A copy of the seed data in ``folder`` whose first quotation (of the first dataset that has
    any) holds markup; (study id, quotation id) of that quotation."""
    shutil.copytree(DATA, folder)
    for dataset in sorted(p for p in folder.iterdir() if (p / "quotations.csv").is_file()):
        path = dataset / "quotations.csv"
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        if not rows:
            continue
        rows[0]["text"] = f"{HOSTILE} {rows[0]['text']}"
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        with open(dataset / "study.csv", newline="", encoding="utf-8") as f:
            study = next(csv.DictReader(f))["study_id"]
        return study, rows[0]["quotation_id"]
    raise AssertionError("no dataset with quotations in the seed data")
