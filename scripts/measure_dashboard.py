"""How long the dashboard takes to show a year again after a control moves, measured in a real
browser: ``python scripts/measure_dashboard.py [SCENARIO] [--moves N] [--shot PNG]``.

Serves ``python -m sim dashboard SCENARIO`` (default ``national-100k``: about 100,000
members in a year), opens it in headless Chromium, then moves the exit-multiple slider one
step ``--moves`` times (down, up, down, ...) and times each move from the key press to the
new run's headline on screen. Prints each time and the median. With ``--shot``, saves a
screenshot of the page (reduced to 64 colours: the README's picture,
``docs/dashboard.png``).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from sim.dashboard.server import running

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
CHANGED = (
    "(old) => { const e = document.querySelector('.run-headline');"
    " return e && e.innerText !== old; }"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="national-100k")
    parser.add_argument("--moves", type=int, default=5)
    parser.add_argument("--shot", type=Path)
    args = parser.parse_args()
    with running(args.scenario, seconds=300) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        started = time.perf_counter()
        page.goto(url)
        shown = page.locator(".run-headline").inner_text(timeout=300_000)
        print(f"first run on screen after {time.perf_counter() - started:.2f} s")
        slider = page.locator(".v-input", has_text="forced exit at").get_by_role("slider")
        times = []
        for move in range(args.moves):
            slider.focus()
            started = time.perf_counter()
            page.keyboard.press("ArrowLeft" if move % 2 == 0 else "ArrowRight")
            page.wait_for_function(CHANGED, arg=shown, timeout=300_000)
            times.append(time.perf_counter() - started)
            shown = page.locator(".run-headline").inner_text()
            print(f"move {move + 1}: {times[-1]:.2f} s")
        print(f"median {statistics.median(times):.2f} s over {len(times)} moves")
        if args.shot:
            page.wait_for_timeout(1000)
            page.screenshot(path=str(args.shot))
            Image.open(args.shot).convert("RGB").quantize(64).save(args.shot, optimize=True)
            print(f"wrote {args.shot} ({args.shot.stat().st_size:,} bytes)")
        browser.close()


if __name__ == "__main__":
    main()
