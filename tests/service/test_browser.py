"""A real browser (headless Chromium from the system packages, driven by Selenium with Debian's
chromium-driver): a student signs in, sees their LaTeX rendered as MathML while typing, checks,
submits and reads the feedback; the instructor reads the class page. With $GRADER_SCREENSHOTS
set to a folder, the pages are saved there (the README's screenshots)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import SUBMISSIONS
from tests.service.conftest import LiveServer, issue, settings_for

pytest.importorskip("starlette")
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from grader.service.app import create_app  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WRONG = SUBMISSIONS / "s1004_wrong_entries.yaml"
LATEX_LINE = "# delta2 is $\\delta^{(2)} = \\hat{y} - t$ and $\\frac{\\partial L}{\\partial W^{(2)}}$\n"

pytestmark = pytest.mark.skipif(not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
                                reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,1400"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def shot(driver, name: str) -> None:
    folder = os.environ.get("GRADER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def sign_in(driver, base: str, token: str) -> None:
    driver.delete_all_cookies()
    driver.get(base + "/")
    driver.find_element(By.NAME, "token").send_keys(token)
    driver.find_element(By.ID, "signin").click()
    patient(driver, 30).until(lambda d: "Signed in as" in heading(d))


def patient(driver, seconds: int) -> WebDriverWait:
    """A wait that looks again while a page is being replaced: Chromium then reports an element
    found a moment ago as stale, or as a node that "does not belong to the document"."""
    return WebDriverWait(driver, seconds, ignored_exceptions=(WebDriverException,))


def heading(driver) -> str:
    """The page's h1 read in one script call, so no element reference can go stale between calls."""
    return driver.execute_script("const h = document.querySelector('h1'); return h ? h.textContent : '';") or ""


def test_a_student_checks_submits_and_reads_feedback_and_the_instructor_reads_the_class(course, tmp_path, browser):
    url = f"sqlite:///{tmp_path / 'browser.sqlite'}"
    toks = issue(url)
    wait = patient(browser, 120)
    with LiveServer(create_app(settings_for(course, url, cooldown=0))) as server:
        sign_in(browser, server.url, toks["s1004"])
        browser.find_element(By.LINK_TEXT, "mlp-numeric").click()
        area = wait.until(lambda d: d.find_element(By.ID, "text"))  # the click starts a page load
        browser.execute_script("arguments[0].value = arguments[1]", area, LATEX_LINE + WRONG.read_text())
        area.send_keys(" ")  # a keystroke: the page asks the server for the preview
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#preview math")) == 2)
        assert browser.find_elements(By.CSS_SELECTOR, "#preview math mfrac")
        shot(browser, "service-assignment")
        browser.find_element(By.ID, "check").click()
        wait.until(lambda d: d.find_elements(By.ID, "verdict"))
        assert browser.find_element(By.ID, "verdict").text == "Well-formed: every answer can be read."
        browser.find_element(By.ID, "submit").click()
        wait.until(lambda d: d.find_elements(By.ID, "points"))
        assert browser.find_element(By.ID, "points").text == "34 of 102 points"
        rows = browser.find_elements(By.CSS_SELECTOR, "table tr")
        assert any("ex1a.delta2" in r.text and "wrong" in r.text for r in rows)
        shot(browser, "service-feedback")

        sign_in(browser, server.url, toks["prof"])
        browser.get(server.url + "/class/mlp-numeric")
        assert browser.find_elements(By.CSS_SELECTOR, "svg rect.bar")
        latest = browser.find_element(By.ID, "latest").text
        assert "s1004" in latest and "34/102" in latest and "loss-gradient-sign" in latest
        assert browser.find_element(By.ID, "missing").text == "s1001, s1009"
        shot(browser, "service-class")
        browser.get(server.url + "/class/mlp-numeric")
        sign_in(browser, server.url, toks["s1001"])
        browser.get(server.url + "/class/mlp-numeric")
        assert "instructors only" in browser.find_element(By.TAG_NAME, "body").text
