"""The HTML report in a real browser (Debian's chromium through selenium, nothing downloaded):
no console error, filters, keyboard, spans on the right text, phone width, 20,000 findings."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import checker
from checker.models import Finding, Report, Suppression, ToolInfo, summarise
from checker.report import RunResult, html
from checker.runner import FileResult, check_file

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
# On CI (.ci/run installs chromium and chromium-driver) a missing browser is a failure.
if not (CHROMIUM and DRIVER):
    if os.environ.get("CI") == "true":
        raise RuntimeError(
            "chromium and chromedriver are required on CI: apt-get install chromium chromium-driver"
        )
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('profile')}")
    options.add_argument("--window-size=1280,900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def open_page(driver: Any, path: Path, page: str) -> None:
    path.write_text(page, encoding="utf-8")
    driver.get(path.as_uri())
    assert driver.execute_script("return document.documentElement.dataset.ready") is not None
    assert driver.get_log("browser") == []  # no error, no warning, not even a CSP report


def shown(driver: Any) -> int:
    return int(driver.execute_script("return window.ccReport.shown()"))


def examples_run() -> RunResult:
    packs = [checker.load_pack(p) for p in ("prc-service-contract", "pipl-customer-data")]
    paths = sorted((ROOT / "examples" / "defects").glob("d0*.yaml"))
    files = [check_file(p.relative_to(ROOT), packs, None) for p in paths]
    files[0].findings[0] = (
        files[0]
        .findings[0]
        .model_copy(update={"suppression": Suppression(reason="agreed with legal")})
    )
    findings = [f for fr in files for f in fr.findings]
    report = Report(
        tool=ToolInfo(version=checker.__version__),
        findings=findings,
        summary=summarise(findings, len(files), 50, baselined=2),
    )
    return RunResult(files, report, "en", packs)


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_filters_search_and_keyboard_change_what_is_shown(browser: Any, tmp_path: Path) -> None:
    run = examples_run()
    total = len(run.report.findings)
    open_page(browser, tmp_path / "r.html", html.render(run))
    assert shown(browser) == total
    info = sum(1 for f in run.report.findings if f.severity == "info")
    browser.find_element(By.CSS_SELECTOR, "input[name=sev][value=info]").click()
    assert shown(browser) == total - info
    assert browser.find_elements(By.CSS_SELECTOR, ".finding.sev-info") == []
    browser.find_element(By.CSS_SELECTOR, "input[name=sev][value=info]").click()
    browser.find_element(By.ID, "show-waived").click()
    assert shown(browser) == total - 1
    browser.find_element(By.ID, "show-waived").click()
    rule = run.report.findings[-1]
    Select(browser.find_element(By.ID, "rule")).select_by_visible_text(f"{rule.pack}/{rule.rule}")
    same = [f for f in run.report.findings if (f.pack, f.rule) == (rule.pack, rule.rule)]
    assert shown(browser) == len(same)
    texts = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".finding .msg")]
    assert texts == [f.message for f in same]
    Select(browser.find_element(By.ID, "rule")).select_by_index(0)
    box = browser.find_element(By.ID, "q")
    box.send_keys(same[0].message[:30])
    time.sleep(0.4)  # the search waits for typing to pause
    assert 1 <= shown(browser) < total
    box.send_keys("\ue00c")  # Escape clears the search
    assert shown(browser) == total
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys("j")
    body.send_keys("j")
    current = browser.find_element(By.CSS_SELECTOR, ".finding.current")
    second = run.report.findings[1]
    assert current.find_element(By.CSS_SELECTOR, ".msg").text == second.message
    assert browser.switch_to.active_element == current
    body.send_keys("k")
    assert browser.find_element(By.CSS_SELECTOR, ".finding.current").get_attribute("id") == "f-0"
    # A bar of the severity chart filters by that severity.
    browser.find_element(By.CSS_SELECTOR, "#chart-severity .bar.sev-warning").click()
    assert shown(browser) == sum(1 for f in run.report.findings if f.severity == "warning")


def test_the_highlighted_span_sits_on_the_text_in_an_excerpt(browser: Any, tmp_path: Path) -> None:
    pack = checker.load_pack("tests/fixtures/acme")
    fr = check_file(Path("tests/fixtures/contracts/bad.yaml"), [pack], None)
    report = Report(
        tool=ToolInfo(version=checker.__version__),
        findings=fr.findings,
        summary=summarise(fr.findings, 1, 4),
    )
    run = RunResult([fr], report, "en", [pack])
    open_page(browser, tmp_path / "r.html", html.render(run))
    first = fr.findings[0]
    assert (first.line, first.column) == (3, 5)
    mark = browser.find_element(By.CSS_SELECTOR, "#f-0 pre.excerpt mark")
    assert mark.text == "- percent: 30"
    hit = browser.find_element(By.CSS_SELECTOR, "#f-0 pre.excerpt .hit")
    assert hit.text.split(None, 1) == ["3", "- percent: 30"]


def test_a_document_is_shown_whole_with_comments_in_the_margin(
    browser: Any, tmp_path: Path
) -> None:
    doc = tmp_path / "draft.md"
    evil = "<img src=x onerror=alert(1)>"
    doc.write_text(f"# 服务合同\n\n甲方应于____年前付款。{evil}\n\n第二条 保密\n", encoding="utf-8")
    f = Finding(
        file=str(doc),
        line=3,
        column=5,
        pointer="/document/blanks/0",
        pack="document",
        rule="placeholder-left",
        severity="error",
        outcome="fail",
        message="A blank is left.",
    )
    general = f.model_copy(update={"line": None, "column": None, "rule": "whole", "pointer": ""})
    report = Report(
        tool=ToolInfo(version=checker.__version__),
        findings=[general, f],
        summary=summarise([general, f], 1, 2),
    )
    open_page(
        browser,
        tmp_path / "r.html",
        html.render(RunResult([FileResult(str(doc), [general, f], [])], report)),
    )
    paras = browser.find_elements(By.CSS_SELECTOR, ".doc .para")
    assert [p.get_attribute("data-line") for p in paras] == ["1", "2", "3", "4", "5"]
    assert paras[2].text.endswith(f"甲方应于____年前付款。{evil}")  # the text, not an image
    assert browser.find_elements(By.CSS_SELECTOR, "#results img") == []
    mark = paras[2].find_element(By.TAG_NAME, "mark")
    assert mark.text == "____"
    comment = browser.find_element(By.CSS_SELECTOR, ".doc .margin #f-1")
    # The comment sits beside its paragraph (in the margin, on the same row).
    assert abs(comment.rect["y"] - paras[2].rect["y"]) < 12
    assert comment.rect["x"] > paras[2].rect["x"] + paras[2].rect["width"] - 1
    assert browser.find_element(By.CSS_SELECTOR, ".doc .general #f-0")
    # On a phone the margin goes under the paragraph, and nothing is wider than the screen.
    browser.set_window_size(390, 844)
    try:
        comment = browser.find_element(By.CSS_SELECTOR, ".doc .margin #f-1")
        assert comment.rect["y"] > paras[2].rect["y"]
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )
    finally:
        browser.set_window_size(1280, 900)


def test_printing_shows_every_finding_without_the_controls(browser: Any, tmp_path: Path) -> None:
    open_page(browser, tmp_path / "r.html", html.render(big_run(60, 10)))
    assert len(browser.find_elements(By.CSS_SELECTOR, ".finding")) < 600  # rendered lazily
    browser.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".finding")) == 600
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not browser.find_element(By.CSS_SELECTOR, ".controls").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def big_run(files: int, per_file: int) -> RunResult:
    lines = [f"  field_{n}: value number {n}  # comment" for n in range(1, 41)]
    results = []
    for i in range(files):
        name = f"contracts/c{i:04}.yaml"
        found = [
            Finding(
                file=name,
                line=2 * k + 1,
                column=3,
                pointer=f"/field_{2 * k + 1}",
                pack=f"pack-{k % 3}",
                rule=f"rule-{k % 7}",
                severity=("error", "warning", "info")[k % 3],
                outcome="fail",
                message=f"Field {k} of contract {i} is wrong: value {k * i}.",
                values={f"field_{2 * k + 1}": f"value number {2 * k + 1}"},
            )
            for k in range(per_file)
        ]
        results.append(FileResult(name, found, lines))
    findings = [f for fr in results for f in fr.findings]
    report = Report(
        tool=ToolInfo(version=checker.__version__),
        findings=findings,
        summary=summarise(findings, files, 21),
    )
    return RunResult(results, report)


def test_twenty_thousand_findings_open_in_under_two_seconds(browser: Any, tmp_path: Path) -> None:
    page = html.render(big_run(1000, 20))
    path = tmp_path / "big.html"
    path.write_text(page, encoding="utf-8")
    started = time.perf_counter()
    browser.get(path.as_uri())
    wall = time.perf_counter() - started
    ready = int(browser.execute_script("return +document.documentElement.dataset.ready"))
    assert browser.get_log("browser") == []
    assert shown(browser) == 20_000
    assert ready < 2000, f"first findings shown after {ready} ms"
    assert wall < 2.0, f"page loaded in {wall:.2f} s"
    # Scrolling to the end brings the rest in.
    before = len(browser.find_elements(By.CSS_SELECTOR, ".finding"))
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    time.sleep(0.3)
    assert len(browser.find_elements(By.CSS_SELECTOR, ".finding")) > before
