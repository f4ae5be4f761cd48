"""The README's screenshots of `clkg serve` (docs/img/*.png), taken again from the current app.

    python docs/screenshots.py              # builds the seed store in a temporary folder
    python docs/screenshots.py --store oxigraph:PATH

Builds a store from the seed data (`clkg build --data data --no-reason`, as the tests do) unless
--store names one, serves it (`clkg serve` on a free loopback port, tests/web_server.py), and
photographs each page with the system's Chromium, headless, through Playwright (it never
downloads a browser, and nothing leaves this machine: the pages load nothing from the network).
Needs the test extras (`pip install ".[test]"`) and `chromium`.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

#: file name -> (path on the server, height of the picture in CSS pixels); 1200 pixels wide
SHOTS = {
    "cross-study-finding.png": ("alignments/mapping/social-learning-information-transfer-recipient--relatedMatch--"
                                "process-learning-barriers-isolation-through-reliance-on-central-actor", 1000),
    "plots.png": ("plots", 1420),
    "saved-question.png": ("questions/quotations-by-concept?concept=slf%3Averification-of-trust", 700),
}
WIDTH = 1200
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # as tests/test_browser.py


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="the store to serve (default: the seed data, built now)")
    parser.add_argument("--out", default=str(HERE / "img"), help="the folder to write to (default docs/img)")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not installed")
    from playwright.sync_api import sync_playwright

    from web_server import served

    with tempfile.TemporaryDirectory(prefix="clkg-shots-") as work:
        work = Path(work)
        spec = args.store
        if spec is None:
            spec = f"oxigraph:{work / 'store'}"
            subprocess.run(["clkg", "--store", spec, "build", "--data", str(REPO / "data"), "--no-reason"],
                           check=True, stdout=subprocess.DEVNULL)
        with served(spec, work / "serve.log") as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            context = browser.new_context(viewport={"width": WIDTH, "height": 900}, device_scale_factor=1)
            tab = context.new_page()
            offsite = []
            tab.on("request", lambda r: offsite.append(r.url) if not r.url.startswith(server.url) else None)
            for name, (path, height) in SHOTS.items():
                answer = tab.goto(server.url + path, wait_until="networkidle")
                if answer is None or answer.status != 200:
                    raise SystemExit(f"/{path}: HTTP {answer.status if answer else '?'}")
                tab.screenshot(path=str(Path(args.out) / name), full_page=True,
                               clip={"x": 0, "y": 0, "width": WIDTH, "height": height})
                print(f"wrote {Path(args.out) / name} (/{path})")
            browser.close()
            if offsite:
                raise SystemExit(f"the pages asked for other hosts: {sorted(set(offsite))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
