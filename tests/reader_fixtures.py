"""The fixtures of the reader's browser tests, loaded by them as a pytest plugin (``pytest_plugins``), which a
test module may not import itself: ``browser``, one Debian Chromium per test module, and ``served``, the reader
over a new ``reader_browser.browser_archive`` on 127.0.0.1 for each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from browser import launched
from reader_browser import browser_archive
from reader_server import Running, running_reader

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as browser:
        yield browser


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Running]:
    with running_reader(browser_archive(tmp_path)) as running:
        yield running
