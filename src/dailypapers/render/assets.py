"""The front-end files shipped inside the package: KaTeX (TeX typesetting) and htmx (the reader's buttons).

They come from npm at the versions pinned here and nowhere else (``tools/vendor-assets`` reads these two lines,
fetches exactly these versions and copies the files under ``render/static/vendor/``), so pages load nothing from
a CDN and work offline, from ``file://`` or a loopback server alike. Each package keeps its LICENSE beside it
(KaTeX: MIT; htmx: Zero-Clause BSD), and the site carries KaTeX's with the files it copies.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable

KATEX_VERSION = "0.19.1"
HTMX_VERSION = "2.0.11"

KATEX = f"vendor/katex-{KATEX_VERSION}"
"""KaTeX's folder, the same under ``render/static/`` and in the written site."""
HTMX = f"vendor/htmx.org-{HTMX_VERSION}/htmx.min.js"


def static() -> Traversable:
    """``render/static/`` inside the installed package (a wheel carries it as package data)."""
    return files("dailypapers").joinpath("render", "static")


def _walk(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for item in sorted(folder.iterdir(), key=lambda item: item.name):
        path = f"{prefix}/{item.name}"
        if item.is_dir():
            yield from _walk(item, path)
        else:
            yield path, item


def katex_files() -> Iterator[tuple[str, bytes]]:
    """Every vendored KaTeX file (scripts, stylesheet, woff2 fonts, LICENSE) by its path under ``render/static/``,
    which is also its path in the site, with its bytes, in a fixed order."""
    folder = static()
    for part in KATEX.split("/"):
        folder = folder.joinpath(part)
    for path, item in _walk(folder, KATEX):
        yield path, item.read_bytes()
