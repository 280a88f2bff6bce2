#!/usr/bin/env python3
"""The web console of `smorg serve`, driven in headless Chromium as an analyst would use it.

    python3 tests/console/console_test.py --smorg PATH_TO_SMORG --out FOLDER [unittest arguments]

Starts `smorg serve` on the sample organization (127.0.0.1, a port it picks), opens the console and
checks that the advocates table shows the same top 10 as `smorg query`, that the silo map shows the
cut-off pair (Engineering and Support) and a group's figures on hover, that a query typed in the box
renders rows, that a bad query shows its error's JSON pointer, and that a server with a token asks
for it. Screenshots go to FOLDER. Needs Debian's chromium, chromium-driver and python3-selenium.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from sample_org import make_sample_org, run_smorg  # noqa: E402

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

SMORG = None
OUT = None
WAIT = 60  # seconds for any element to appear
PORT_LINE = re.compile(r"at http://127\.0\.0\.1:(\d+)/")


def smorg(*args, cwd=None):
    return run_smorg(SMORG, *args, cwd=cwd)


class Server:
    """`smorg serve` on 127.0.0.1 with a port of its own choosing; stopped on exit."""

    def __init__(self, db, *extra):
        self.process = subprocess.Popen([SMORG, "serve", "--db", db, "--listen", "127.0.0.1:0", *extra],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            match = PORT_LINE.search(line)
            if match:
                self.url = f"http://127.0.0.1:{match.group(1)}/"
                # Drained from here on, so the server never blocks on a full pipe.
                self.drain = threading.Thread(target=lambda: [None for _ in self.process.stdout], daemon=True)
                self.drain.start()
                return
            if self.process.poll() is not None:
                break
        self.stop()
        raise AssertionError(f"smorg serve did not start: {line}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if hasattr(self, "drain"):
            self.drain.join(timeout=5)
        self.process.stdout.close()


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,2400"):
        options.add_argument(flag)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT)
    return driver


class Org:
    root = None
    db = None


def setUpModule():
    Org.root = tempfile.mkdtemp(prefix="smorg-console-test-")
    Org.db = make_sample_org(SMORG, Org.root)


def tearDownModule():
    shutil.rmtree(Org.root, ignore_errors=True)


class Console(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(Org.db)
        cls.driver = browser()
        cls.driver.get(cls.server.url)
        WebDriverWait(cls.driver, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))

    @classmethod
    def tearDownClass(cls):
        os.makedirs(OUT, exist_ok=True)
        cls.driver.save_screenshot(os.path.join(OUT, "console.png"))
        cls.driver.quit()
        cls.server.stop()

    def wait_for(self, css):
        return WebDriverWait(self.driver, WAIT).until(ready.presence_of_element_located((By.CSS_SELECTOR, css)))

    def test_advocates_table_shows_the_same_top_10_as_smorg_query(self):
        expected = json.loads(smorg("query", "--db", Org.db, "--compact", json.dumps({"op": "advocates", "top": 10})))
        ids = [row["id"] for row in expected["result"]["rows"]]
        cells = self.driver.find_elements(By.CSS_SELECTOR, "#advocates-table tbody tr td:nth-child(2)")
        self.assertEqual([c.text for c in cells], ids)
        why = self.driver.find_elements(By.CSS_SELECTOR, "#advocates-table tbody tr td:nth-child(6)")
        self.assertTrue(all(w.text for w in why), "every row says why")

    def test_silo_map_shows_the_cut_off_pair_and_a_group_on_hover(self):
        labels = self.driver.find_elements(By.CSS_SELECTOR, '#silo-map g[id="cut-Engineering-Support"], '
                                                            '#silo-map g[id="cut-Support-Engineering"]')
        self.assertEqual(len(labels), 1, "the cut-off pair's label is on the map")
        self.assertIn("cut off", labels[0].text)
        legend = self.driver.find_elements(By.CSS_SELECTOR, "#silo-map g#legend")
        self.assertEqual(len(legend), 1)
        groups = self.driver.find_elements(By.CSS_SELECTOR, '#silo-map g[id^="group-"]')
        self.assertEqual(len(groups), 8)
        target = next(g for g in groups if "Engineering" in g.text)
        ActionChains(self.driver).move_to_element(target).perform()
        detail = WebDriverWait(self.driver, WAIT).until(
            lambda d: d.find_element(By.ID, "silo-detail") if "E-I" in d.find_element(By.ID, "silo-detail").text else None)
        self.assertIn("Engineering", detail.text)
        self.assertIn("if ties fell at random", detail.text)
        ActionChains(self.driver).click(target).perform()
        self.wait_for("#silo-detail #spanners")

    def test_the_trend_view_draws_the_windows_and_changes_on_request(self):
        request = {"op": "trend", "query": {"op": "silos", "permutations": 200}, "windows": {"step": "6mo"}}
        expected = json.loads(smorg("query", "--db", Org.db, "--compact", json.dumps(request)))["result"]
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, "#trend-chart svg polyline")) > 0, True)
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#trend-windows tbody tr")
        self.assertEqual(len(rows), len(expected["windows"]))
        self.assertEqual(rows[0].find_element(By.CSS_SELECTOR, "td").text, expected["windows"][0]["since"][:10])
        changes = self.driver.find_elements(By.CSS_SELECTOR, "#trend-changes tbody tr")
        self.assertEqual(len(changes), len(expected["significant_changes"]))
        # Another question: the referral top's stability, by year.
        Select(self.driver.find_element(By.ID, "trend-op")).select_by_value("crv:kendall_tau")
        Select(self.driver.find_element(By.ID, "trend-step")).select_by_visible_text("1y")
        self.driver.find_element(By.CSS_SELECTOR, "#trend-form button").click()
        WebDriverWait(self.driver, WAIT).until(
            lambda d: "referrals" in d.find_element(By.ID, "trend-windows").text)
        title = self.driver.find_element(By.CSS_SELECTOR, "#trend-chart svg text").text
        self.assertIn("kendall_tau", title)

    def test_a_query_in_the_box_renders_rows(self):
        box = self.driver.find_element(By.ID, "query-text")
        box.clear()
        box.send_keys('{"op": "centrality", "algorithm": "degree", "top": 7}')
        self.driver.find_element(By.ID, "query-run").click()
        table = self.wait_for('#query-result .result-table[data-field="rows"] table')
        self.assertEqual(len(table.find_elements(By.CSS_SELECTOR, "tbody tr")), 7)
        link = self.driver.find_element(By.CSS_SELECTOR, '#query-result .result-table[data-field="rows"] a.csv')
        self.assertEqual(link.get_attribute("download"), "rows.csv")

    def test_a_bad_query_shows_the_pointer_of_its_error(self):
        box = self.driver.find_element(By.ID, "query-text")
        box.clear()
        box.send_keys('{"op": "centrality", "algorithm": "pagerank", "damping": 2}')
        self.driver.find_element(By.ID, "query-run").click()
        error = WebDriverWait(self.driver, WAIT).until(ready.visibility_of_element_located((By.ID, "query-error")))
        self.assertEqual(error.find_element(By.CSS_SELECTOR, ".pointer").text, "/damping")
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "#query-result table"), [])


class ConsoleWithToken(unittest.TestCase):
    def test_the_console_asks_for_the_token_and_then_loads(self):
        token_file = os.path.join(Org.root, "token")
        with open(token_file, "w") as f:
            f.write("s3cret-console-token\n")
        os.chmod(token_file, 0o600)
        server = Server(Org.db, "--token-file", token_file)
        driver = browser()
        try:
            driver.get(server.url)
            form = WebDriverWait(driver, WAIT).until(ready.visibility_of_element_located((By.ID, "token-form")))
            form.find_element(By.ID, "token").send_keys("s3cret-console-token")
            form.find_element(By.CSS_SELECTOR, "button").click()
            WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))
            self.assertEqual(len(driver.find_elements(By.CSS_SELECTOR, "#advocates-table tbody tr")), 10)
        finally:
            os.makedirs(OUT, exist_ok=True)
            driver.save_screenshot(os.path.join(OUT, "console-token.png"))
            driver.quit()
            server.stop()


def main():
    global SMORG, OUT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smorg", required=True)
    parser.add_argument("--out", required=True)
    args, rest = parser.parse_known_args()
    SMORG, OUT = os.path.abspath(args.smorg), os.path.abspath(args.out)
    unittest.main(argv=[sys.argv[0], *rest])


if __name__ == "__main__":
    main()
