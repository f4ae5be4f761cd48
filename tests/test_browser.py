"""`clkg serve` in a real browser: Debian's Chromium, headless, driven by Playwright.

The browser is the system's (`chromium`, which .ci/run installs; Playwright never downloads one).
Without it these tests are skipped, except under CI (`CI` set), where they fail instead. The
server runs over a store built from the seed data, and a second one over a copy of the seed data
whose first quotation holds markup; what the pages must show is read from `clkg query` on a copy.
"""

import json
import shutil
from types import SimpleNamespace

import pytest

from support import cli_built_store, require, run_clkg
from web_server import HOSTILE, hostile_data, served

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _chromium() -> str:
    found = shutil.which("chromium")
    require(found is not None, "Chromium is not installed (`apt-get install chromium`; .ci/run installs it)")
    return found


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    dialogs = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.dialogs = dialogs
    yield tab
    context.close()


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    _chromium()
    folder = tmp_path_factory.mktemp("browser")
    path = cli_built_store(folder / "store")
    shutil.copytree(path, folder / "copy")
    with served(f"oxigraph:{path}", folder / "serve.log") as server:
        yield SimpleNamespace(url=server.url, copy=folder / "copy")


def answer(seed, *args) -> list[dict]:
    result = run_clkg("--store", f"oxigraph:{seed.copy}", "query", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_click_from_the_studies_to_a_finding_to_a_quotation(seed, page):
    page.goto(seed.url + "studies")
    page.locator("table.list").first.locator("tbody tr td:first-child a").first.click()
    page.wait_for_selector("text=Findings (")
    assert page.locator("p.kind").inner_text().lower().startswith("study")
    # a finding that the paper backs with quotations (the last column counts them)
    rows = page.locator("section:has(h2:text-matches('^Findings')) tbody tr")
    backed = next(i for i in range(rows.count()) if int(rows.nth(i).locator("td.n").inner_text()) > 0)
    expected = int(rows.nth(backed).locator("td.n").inner_text())
    rows.nth(backed).locator("td a").first.click()
    page.wait_for_selector("text=Quotations behind it")
    assert page.locator("p.kind").inner_text().lower().startswith("finding")
    quotations = page.locator("figure.quotation")
    assert quotations.count() == expected
    text = quotations.first.locator("blockquote").inner_text()
    quotations.first.locator("a.more").click()
    page.wait_for_selector("blockquote.quotation-text")
    assert page.locator("blockquote.quotation-text").inner_text() == text
    assert page.locator("p.kind").inner_text().lower().startswith("quotation")


def test_click_from_a_cross_study_finding_to_its_quotations(seed, page):
    page.goto(seed.url + "studies")
    rows = page.locator("h2:has-text('Cross-study findings') ~ table tbody tr")
    first = rows.first
    total = int(first.locator("td.n").last.inner_text())
    first.locator("td:nth-child(2) a").click()
    page.wait_for_selector("text=Cross-study finding")
    shown = page.locator(".side figure.quotation blockquote").all_inner_texts()
    assert len(set(shown)) == total > 0


def test_a_saved_question_with_a_parameter(seed, page):
    page.goto(seed.url + "questions")
    page.get_by_role("link", name="Quotations about a concept").click()
    select = page.locator("select#p-concept")
    options = select.locator("option:not([disabled])")
    value = options.nth(options.count() // 2).get_attribute("value")
    select.select_option(value)
    page.get_by_role("button", name="Answer").click()
    page.wait_for_selector("p.downloads")
    expected = answer(seed, "quotations-by-concept", "--param", f"concept={value}")
    assert page.locator("table.answer tbody tr").count() == max(len(expected), 1)
    if expected:
        assert page.locator("table.answer tbody tr td:nth-child(3)").all_inner_texts() == [r["quotation"] for r in expected]
    page.get_by_role("link", name="open in the SPARQL editor").click()
    page.wait_for_selector("#answer")
    assert page.locator("#answer table tbody tr").count() == max(len(expected), 1)


def test_each_plot_renders_as_an_svg_with_its_marks(seed, page):
    matrix = answer(seed, "barrier-matrix")
    moves = answer(seed, "cop-migrations")
    evidence = answer(seed, "evidence-by-concept")
    page.goto(seed.url + "plots")
    expected = {
        ("barrier-matrix", "cells"): len({(r["level"], r["type"]) for r in matrix}),
        ("involvement", "migrations"): len({(r["from_level"], r["to_level"], r["frequency"]) for r in moves}),
        ("evidence", "bars"): len({(r["concept"], r["study"], k) for r in evidence for k in ("findings", "quotations") if r[k]}),
    }
    for (plot, mark), count in expected.items():
        svg = page.locator(f'div.plot[data-plot="{plot}"] svg')
        assert svg.count() == 1
        assert svg.bounding_box()["width"] > 200 and svg.bounding_box()["height"] > 100
        assert svg.locator(f"g.{mark}_marks path").count() == count > 0, plot
    levels = page.locator('div.plot[data-plot="involvement"] g.level_names_marks text').all_text_contents()
    assert {r["from_level"] for r in moves} | {r["to_level"] for r in moves} <= set(levels)


def test_submit_a_sparql_query(seed, page):
    page.goto(seed.url + "query")
    area = page.locator("textarea#query")
    preset = area.input_value()
    assert "PREFIX clkg: <https://w3id.org/clkg/ontology#>" in preset
    area.fill(preset.split("SELECT")[0] + "SELECT ?case ?label WHERE { ?case a clkg:Case ; rdfs:label ?label } ORDER BY ?label")
    page.get_by_role("button", name="Run").click()
    page.wait_for_selector("#answer")
    cases = answer(seed, "cases-side-by-side")
    assert page.locator("#answer tbody tr").count() == len(cases)
    assert sorted(page.locator("#answer tbody td:nth-child(2)").all_inner_texts()) == sorted(r["case"] for r in cases)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    _chromium()
    folder = tmp_path_factory.mktemp("hostile")
    study, quotation = hostile_data(folder / "data")
    result = run_clkg("--store", f"oxigraph:{folder / 'store'}", "build", "--data", folder / "data", "--no-reason")
    assert result.returncode == 0, result.stderr
    with served(f"oxigraph:{folder / 'store'}", folder / "serve.log") as server:
        yield SimpleNamespace(url=server.url, quotation=f"data/{study}/quotation/{quotation}")


def test_a_quotation_holding_markup_renders_as_text(hostile, page):
    import urllib.request

    with urllib.request.urlopen(hostile.url + hostile.quotation) as response:
        body = response.read().decode("utf-8")
    assert "<script>window" not in body and "&lt;script&gt;window.__clkg_pwned" in body
    for url in (hostile.url + hostile.quotation, hostile.url + "search?q=pwned"):
        page.goto(url)
        assert page.evaluate("window.__clkg_pwned") is None
        assert page.evaluate("document.scripts.length") == 0
        assert page.locator("img[src=x]").count() == 0
    page.goto(hostile.url + hostile.quotation)
    assert page.locator("blockquote.quotation-text").inner_text().startswith(HOSTILE)
    page.goto(hostile.url + "search?q=pwned")
    assert HOSTILE in page.locator("ul.hits").inner_text()
    assert page.dialogs == []
