"""Helpers the tests share: paths of the seed data, queries, the command line."""

import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SL = "social-learning-cis"
HIBBERT = "hibbert-2010"
#: Every study of the seed data folder (the tests that go over all of them assume no number).
STUDIES = sorted(p.name for p in DATA.iterdir() if p.is_dir() and not p.name.startswith("."))



def generator():
    """benchmarks/generate.py, the synthetic-corpus generator, as a module."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PREFIXES = """PREFIX clkg: <https://w3id.org/clkg/ontology#>
PREFIX slf: <https://w3id.org/clkg/scheme/social-learning/>
PREFIX plb: <https://w3id.org/clkg/scheme/process-learning-barriers/>
PREFIX role: <https://w3id.org/clkg/scheme/informant-role/>
PREFIX orgtype: <https://w3id.org/clkg/scheme/organization-type/>
PREFIX sector: <https://w3id.org/clkg/scheme/sector/>
PREFIX freq: <https://w3id.org/clkg/scheme/frequency/>
PREFIX citype: <https://w3id.org/clkg/scheme/initiative-type/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""


def under_ci() -> bool:
    """Whether the tests run under CI (``CI`` set), where nothing a test needs may be missing."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def require(available: bool, reason: str) -> None:
    """Skip the test with ``reason`` when what it needs is not ``available``; fail under CI."""
    if available:
        return
    if under_ci():
        pytest.fail(f"{reason}; under CI this test must run, not be skipped", pytrace=False)
    pytest.skip(reason)


def require_java() -> str:
    """The java command (HermiT and the OWL API need it)."""
    java = shutil.which("java")
    require(java is not None, "Java is not installed (java not on PATH): HermiT and the OWL API need it")
    return java


def select(store, query: str) -> list[dict]:
    """Run a SELECT over the union of all graphs; values as Python strings (None if unbound)."""
    columns, rows = store.select(PREFIXES + query)
    return [{c: (t.value if t is not None else None) for c, t in zip(columns, row)} for row in rows]


def run_clkg(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    """The installed command line, as a researcher runs it."""
    return subprocess.run(["clkg", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env)


def case_data_format() -> dict:
    return json.loads((ROOT / "loaders" / "case-data.csv-metadata.json").read_text(encoding="utf-8"))


_SEED_STORE = tempfile.TemporaryDirectory(prefix="clkg-seed-store-")  # removed when the tests end


def cli_built_store(path: Path) -> Path:
    """A store at ``path`` built from the seed data by the command line (without HermiT, which
    other tests run). An on-disk store belongs to one process at a time, so CLI tests get their own:
    a copy of the one store the session builds (the build infers, which takes a while)."""
    built = Path(_SEED_STORE.name) / "store"
    if not built.is_dir():
        building = built.with_name("building")
        result = run_clkg("--store", f"oxigraph:{building}", "build", "--data", DATA, "--no-reason")
        assert result.returncode == 0, result.stderr
        building.rename(built)  # only a whole build is copied
    shutil.copytree(built, path)
    return path
