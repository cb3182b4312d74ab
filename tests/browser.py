"""A real browser for the tests: Playwright driving Debian's Chromium, shared by the site's and the reader's tests.

``playwright install`` downloads its own browsers, which a machine without that download (CI behind a proxy, a
Debian box) cannot do, so the tests launch the system's Chromium (``/usr/bin/chromium``, or the executable in
``DAILYPAPERS_CHROMIUM``) through ``executable_path``, headless and without the sandbox (which needs user
namespaces that containers often lack). Without Chromium or Playwright a test fails and says what to install:
``tools/install-test-deps`` provides both, and a skipped browser test would hide a broken page.

Use ``launched()`` once per session (a session-scoped fixture) and a new context per test; ``Watched`` records
everything that goes wrong on a page, and ``offline`` every request that would leave ``file://``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Route

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# The text of an element as its source was written: each typeset formula back to its TeX (KaTeX keeps it in an
# annotation of its MathML), between the delimiters $…$ or $$…$$.
TEX_SOURCE = """element => {
  const copy = element.cloneNode(true);
  for (const formula of copy.querySelectorAll(".katex-display, .katex")) {
    if (!copy.contains(formula)) continue;
    const tex = formula.querySelector('annotation[encoding="application/x-tex"]');
    const mark = formula.classList.contains("katex-display") ? "$$" : "$";
    formula.replaceWith(document.createTextNode(mark + (tex ? tex.textContent : "") + mark));
  }
  return copy.textContent;
}"""


def chromium_path() -> str:
    path = os.environ.get("DAILYPAPERS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "the browser tests need Chromium: install Debian's package (tools/install-test-deps, or apt-get install "
            "chromium) or set DAILYPAPERS_CHROMIUM to a Chromium executable"
        )
    return path


@contextmanager
def launched() -> Iterator[Browser]:
    """A headless Chromium for the length of the ``with``: start it once per test session, it takes a second."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright: pip install -e '.[test]' (it drives Debian's chromium)")
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


class Watched:
    """A page with everything that went wrong on it recorded: console errors, uncaught errors, dialogs, and the
    URLs it navigated its main frame to."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        self.navigations: list[str] = []
        page.on("console", lambda message: self._console(message.type, message.text))
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("dialog", self._dialog)
        page.on(
            "framenavigated", lambda frame: self.navigations.append(frame.url) if frame == page.main_frame else None
        )

    def _navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.navigations.append(frame.url)

    def _console(self, kind: str, text: str) -> None:
        if kind in ("error", "warning"):
            self.problems.append(f"console {kind}: {text}")

    def _dialog(self, dialog: Any) -> None:
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def open(self, folder: Path, path: str) -> Page:
        self.page.goto(folder.joinpath(*path.split("/")).as_uri())
        return self.page


class Offline:
    """Every request of a context that is not for a ``file://`` URL, aborted and recorded."""

    def __init__(self, context: BrowserContext) -> None:
        self.attempted: list[str] = []
        self.loaded: list[str] = []
        context.route("**/*", self._route)
        context.on("request", lambda request: self.loaded.append(request.url))

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith("file://") or url.startswith("data:"):
            route.continue_()
        else:
            self.attempted.append(url)
            route.abort()


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot kept in ``tests/artifacts/`` (ignored by Git) for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def write_site(folder: Path, files: Mapping[str, str | bytes]) -> Path:
    """The files ``render_site`` made, written under ``folder`` (a browser opens them from ``file://``)."""
    for path, text in files.items():
        target = folder.joinpath(*path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode() if isinstance(text, str) else text)
    return folder
