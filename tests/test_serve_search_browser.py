"""The reader's search in a real browser (Playwright driving Debian's Chromium against ``serve`` on 127.0.0.1):
a malformed query typed in the header's box shows the command line's message, and its caret stands under the
column it names."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from browser import DESKTOP, PHONE, Watched, launched, screenshot
from dailypapers.cli import cli
from reader_server import running_reader
from reader_world import seed_archive

QUERY = 'abs:compiler AND ti:(graph "neural'

# The left edge of the character at ``column`` of each line of the ``<pre>``: where the eye sees it.
_EDGES = """(pre, [source, caret]) => {
  const text = pre.firstChild;
  const lines = text.data.split("\\n");
  const start = index => lines.slice(0, index).reduce((sum, line) => sum + line.length + 1, 0);
  const edge = (line, column) => {
    const range = document.createRange();
    range.setStart(text, start(line) + column);
    range.setEnd(text, start(line) + column + 1);
    return range.getBoundingClientRect().left;
  };
  return [edge(1, source), edge(2, caret)];
}"""


def test_a_malformed_query_typed_in_the_header_shows_the_caret_under_its_column(tmp_path: Path) -> None:
    config, _ = seed_archive(tmp_path)
    printed = CliRunner().invoke(cli, ["search", "--config", str(config), QUERY]).stderr
    with running_reader(config) as reader, launched() as browser:
        context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
        context.set_default_timeout(5000)
        watched = Watched(context.new_page())
        page = watched.page
        page.goto(reader.url)
        page.get_by_role("searchbox", name="Search the archive").fill(QUERY)
        page.keyboard.press("Enter")
        error = page.locator("pre.query-error")
        error.wait_for(state="visible")
        shown = error.inner_text()
        caret = shown.splitlines()[2].index("^")
        edges = [error.evaluate(_EDGES, [caret, caret])]
        screenshot(page, "search-error-desktop.png")
        page.set_viewport_size(PHONE)  # type: ignore[arg-type]
        edges.append(error.evaluate(_EDGES, [caret, caret]))
        screenshot(page, "search-error-phone.png")
        assert page.url.startswith(f"{reader.url}search?q=")
        assert page.get_by_role("searchbox", name="Search the archive").input_value() == QUERY
        context.close()
    assert shown.splitlines() == printed.removeprefix("dailypapers: error: ").splitlines()
    assert shown.splitlines()[1][caret] in '("' and all(abs(source - under) < 0.5 for source, under in edges)
    assert [problem for problem in watched.problems if "status of 400" not in problem] == []  # the page's own 400
