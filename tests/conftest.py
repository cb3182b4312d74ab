"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arxiv_server import ArxivServer, load_seed_papers

# arXiv test server


@pytest.fixture
def arxiv_server() -> Iterator[ArxivServer]:
    """A running arXiv-compatible server on a free local port, serving every seed paper."""
    with ArxivServer(load_seed_papers()) as server:
        yield server
