"""The reader's URL parts: an arXiv id (old ids hold a slash, so ``path`` would be too greedy) and a signal's name.
Registered on import, before any route names them."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

from dailypapers.model import Signal


class ArxivId(Convertor[str]):
    """A bare arXiv id: ``2601.08800`` or ``hep-th/9901001`` (old ids hold a slash)."""

    regex = r"\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]{2,})?(?:\.[A-Za-z-]{2,})?/\d{7}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class SignalName(Convertor[str]):
    regex = "|".join(signal.value for signal in Signal)

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("arxiv", ArxivId())
register_url_convertor("signal", SignalName())
