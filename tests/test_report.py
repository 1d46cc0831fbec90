"""The report page, opened in a real browser (Debian's headless Chromium driven by Selenium)."""
import re
import shutil
from dataclasses import replace

import pytest

from app.sections import SECTIONS
from app.cli import main

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER), "make test installs chromium and chromium-driver"
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,2000"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    yield driver
    driver.quit()


def test_report_loads_cleanly_with_every_image_and_says_what_has_not_run(options, browser, capsys):
    SECTIONS["pca"].run(replace(options, steps=20), log=lambda line: None)
    SECTIONS["stacked_tied"].run(replace(options, steps=10), log=lambda line: None)
    assert main(["report", "--out", str(options.out)]) == 0
    page = options.out / "report/index.html"
    browser.get(page.as_uri())
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]);")
    sources = sorted(src for src, _, _ in images)
    # pca's figure, stacked_tied's reconstructions, and its epochs drawn over the book's printed log
    assert sources == ["figures/pca/linear_autoencoder_pca_plot.png",
                       "figures/stacked_tied/ours_vs_book_train_mse.png",
                       "figures/stacked_tied/reconstruction_plot.png"]
    assert all(complete and width > 0 for _, complete, width in images), images
    links = browser.execute_script(
        "return Array.from(document.images).map(i => i.parentElement.tagName + ' ' + i.parentElement.getAttribute('href'));")
    assert links == [f"A {src}" for src, _, _ in images]  # each figure opens at full size
    text = browser.find_element("tag name", "body").text
    assert "2 of" in text and "Not run yet: make vae_logvar" in text
    assert "0.0155875" in text  # the book's tied-weights number beside ours
    assert ("ours: data mnist5k, training images 4000, steps 10, seed 42, batches notebook, loop inside the graph"
            in text)
    tied = browser.find_element("id", "stacked_tied")
    tables = [t.text.splitlines() for t in tied.find_elements("tag name", "table")]
    # plain words, numbers as a reader reads them, the speed in its own table
    assert tables[0][0] == "metric ours book"
    assert any(row.startswith("train MSE ") and row.split()[-1] == "0.0155875" for row in tables[0]), tables[0]
    assert tables[1][0] == "speed ours"
    assert any(re.fullmatch(r"images per second [\d,]+", row) for row in tables[1]), tables[1]
    assert not any("_" in row for table in tables for row in table), tables  # no raw metrics.json key
    not_run = browser.find_element("id", "vae_logvar").text  # the book's numbers, before any run of ours
    assert "Not run yet" in not_run and "total loss 14637.6" in not_run and "latent loss 3711.55" in not_run
    # the lines under the table wrap: none is cut at the page's edge, at any width down to a laptop's
    for width in (1400, 1000):
        browser.set_window_size(width, 2000)
        cut = browser.execute_script("return Array.from(document.querySelectorAll('.beside p'))"
                                     ".filter(p => p.scrollWidth > p.clientWidth).map(p => p.textContent);")
        assert cut == [], (width, cut)
    browser.set_window_size(1280, 2000)
    assert "—" not in text
    assert "not scored, as ours is other than the book's run: data mnist5k" in text  # the table each run ends with
    assert "train_mse, line 4 (step 10)" in text
    shot = options.out / "report/screenshot.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
