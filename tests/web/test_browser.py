"""The pages in a real browser: Debian's headless Chromium driven through Debian's chromedriver (never a
downloaded one) against the app served by uvicorn on a free loopback port. Each test stands alone (xdist may hand
them to different workers): sign in, work the worklist, override and fix through the forms, read the dashboard."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from rcm.coding import RuleBook
from rcm.store.testing import fresh_database
from rcm.web import create_app

from .conftest import web_config
from .seed import AR_AS_OF, PASSWORD, Office, build_office

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
    reason="Debian's chromium and chromium-driver are not installed (make system-packages installs them)",
)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402


@dataclass
class Site:
    base: str
    office: Office
    browser: WebDriver

    def open(self, path: str) -> None:
        """Open a page, signing in first when the site asks for it."""
        self.browser.get(self.base + path)
        if self.browser.current_url.split("?")[0].endswith("/login"):
            self.browser.find_element(By.ID, "username").send_keys("jdoe")
            self.browser.find_element(By.ID, "password").send_keys(PASSWORD)
            self.click_through(self.browser.find_element(By.ID, "sign-in"))
        assert self.browser.find_element(By.ID, "signed-in-user").text == "jdoe"

    def click_through(self, element: WebElement) -> None:
        """Click something that loads a new page, and wait until the new page has replaced the old one.

        The old page is marked with a window property that a new page does not have. (Waiting for an old element
        to go stale races with Chromium's navigation, which may answer "node does not belong to the document"
        instead of a stale reference.)"""
        self.browser.execute_script("window.__rcmOldPage = true;")
        element.click()

        def replaced(browser: WebDriver) -> bool:
            try:
                return bool(browser.execute_script(
                    "return window.__rcmOldPage === undefined && document.readyState === 'complete';"
                ))
            except WebDriverException:  # the page is being swapped right now: ask again
                return False

        WebDriverWait(self.browser, 30).until(replaced)

    def text(self, element_id: str) -> str:
        return str(self.browser.find_element(By.ID, element_id).text)


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, book: RuleBook) -> Iterator[Site]:
    import uvicorn

    data_dir = tmp_path_factory.mktemp("web-browser")
    with fresh_database(data_dir) as engine:
        office = build_office(engine, data_dir, book)
        app = create_app(web_config(office, data_dir), engine=engine, rulebook=book)
        sock = _free_socket()
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the web server did not start"
            time.sleep(0.05)
        os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium look for drivers or browsers online
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--window-size=1400,1800", f"--user-data-dir={data_dir / 'chromium'}"):
            options.add_argument(argument)
        browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        browser.set_page_load_timeout(60)
        try:
            yield Site(f"http://127.0.0.1:{port}", office, browser)
        finally:
            browser.quit()
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
            shutil.rmtree(data_dir / "chromium", ignore_errors=True)


def test_sign_in_and_filter_the_worklist(site: Site) -> None:
    site.open("/worklist")
    assert site.text("held-count") == "3"
    Select(site.browser.find_element(By.ID, "filter-severity")).select_by_value("warning")
    site.click_through(site.browser.find_element(By.ID, "apply-filters"))
    links = site.browser.find_elements(By.CLASS_NAME, "claim-link")
    assert [a.text for a in links] == ["W5"]
    assert "severity=warning" in site.browser.current_url
    site.click_through(links[0])
    assert site.text("claim-number") == "W5"


def test_override_a_warning_through_the_form(site: Site) -> None:
    site.open(f"/claims/{site.office.claim_ids['W5']}")
    row = site.browser.find_element(By.ID, "finding-POS-TELEHEALTH-MODIFIER-1")
    row.find_element(By.CLASS_NAME, "override-reason").send_keys("audio-only visit; payer accepts POS 10 alone")
    site.click_through(row.find_element(By.CLASS_NAME, "override-button"))
    assert "Override recorded" in site.text("done")
    assert site.text("claim-status") == "ready"
    audit = site.text("audit")
    assert "jdoe" in audit and "scrub.override POS-TELEHEALTH-MODIFIER line 1" in audit
    assert "audio-only visit; payer accepts POS 10 alone" in site.text("timeline")


def test_fix_a_diagnosis_through_the_form(site: Site) -> None:
    site.open(f"/claims/{site.office.claim_ids['W4']}")
    assert site.text("claim-status") == "held"
    dx = site.browser.find_element(By.ID, "dx-1")
    assert "flagged" in (dx.get_attribute("class") or "")
    dx.clear()
    dx.send_keys("E11.9")
    site.browser.find_element(By.ID, "fix-reason").send_keys("coder confirmed: without complications")
    site.click_through(site.browser.find_element(By.ID, "save-fix"))
    assert "Correction saved" in site.text("done")
    assert site.text("claim-status") == "ready"
    assert site.browser.find_element(By.ID, "dx-1").get_attribute("value") == "E11.9"
    assert "encounter version 2" in site.text("timeline") and "staff correction by jdoe" in site.text("timeline")
    audit = site.text("audit")
    assert "claim.correct" in audit and "diagnoses[1]: E11 → E11.9" in audit and "jdoe" in audit


def test_a_wrong_value_is_explained_on_the_page(site: Site) -> None:
    site.open(f"/claims/{site.office.claim_ids['W6']}")
    pointers = site.browser.find_element(By.NAME, "lines[1].diagnosis_pointers")
    pointers.clear()
    pointers.send_keys("2")
    site.browser.find_element(By.ID, "fix-reason").send_keys("point to the second diagnosis")
    site.click_through(site.browser.find_element(By.ID, "save-fix"))
    assert "Nothing was saved" in site.text("error")
    problem = site.browser.find_element(By.CSS_SELECTOR, '[data-field="lines[1].diagnosis_pointers"]')
    assert problem.text == "pointer 2 is out of range: the claim has 1 diagnoses"
    assert site.text("claim-status") == "held"


def test_the_dashboard_shows_the_office_figures(site: Site) -> None:
    site.open("/dashboard")
    first = site.browser.find_element(By.ID, "period-first")
    last = site.browser.find_element(By.ID, "period-last")
    aging = site.browser.find_element(By.ID, "aging-day")
    # The inputs are month and date pickers: set their values as a person's picker would.
    for element, value in ((first, "2026-03"), (last, f"{date.today():%Y-%m}"), (aging, AR_AS_OF.isoformat())):
        site.browser.execute_script("arguments[0].value = arguments[1]", element, value)
    site.click_through(site.browser.find_element(By.ID, "show-period"))
    assert (site.text("adjudicated"), site.text("denied"), site.text("denial-rate")) == ("3", "2", "66.7 %")
    assert site.text("clean-counts") == "4 of 7 claims" and site.text("ar-total") == "220.00"
    carcs = site.text("by-carc")
    assert "197" in carcs and "Precertification/authorization/notification/pre-treatment absent" in carcs
    assert "M15" in site.text("by-rarc")
