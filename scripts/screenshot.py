"""Take the README's screenshot of a running Weft (`make run` first).

Usage: .venv/bin/python scripts/screenshot.py [URL] [OUTPUT]
(defaults: http://127.0.0.1:8000/ and docs/home.png). Chromium is the system's, as in the tests
(WEFT_CHROMIUM overrides its path).
"""

import os
import sys

from playwright.sync_api import sync_playwright

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/"
output = sys.argv[2] if len(sys.argv) > 2 else "docs/home.png"

with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path=os.environ.get("WEFT_CHROMIUM", "/usr/bin/chromium")
    )
    page = browser.new_page(viewport={"width": 1280, "height": 1500}, locale="zh-CN")
    page.goto(url)
    # The map draws after its data loads: wait for the clusters' markers.
    page.wait_for_selector("[data-cluster-map] canvas", timeout=30_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=output)
    browser.close()
print(f"saved {output}")
