"""The ``[ranking]`` table: whose papers count as the researcher's own, how many top picks messages lead with, and
whether the page and feeds follow interest or date.

```toml
[ranking]
authors = ["Ada Lovelace"]   # every archive paper by these names is a positive, as a star is
top = 10                     # top picks across topics that email and webhooks lead with (0: none)
order = "date"               # "date" (the default: the page stays as it was) or "interest"
```
"""

from __future__ import annotations

from dataclasses import dataclass

from dailypapers.config.table import Table, one_line

RANKING_KEYS = ("authors", "top", "order")
ORDERS = ("date", "interest")


@dataclass(frozen=True)
class RankingSettings:
    authors: tuple[str, ...] = ()
    top: int = 10
    order: str = "date"


def ranking_settings(top: Table) -> RankingSettings:
    """The ``[ranking]`` table, checked; its defaults when the config has none."""
    table = top.table("ranking", RANKING_KEYS)
    order = table.get("order", str, "date")
    if order not in ORDERS:
        raise table.error("order", f"expected one of {', '.join(repr(o) for o in ORDERS)}, got {order!r}")
    return RankingSettings(authors=_authors(table), top=table.bounded("top", int, 10, 0, 100), order=order)


def _authors(table: Table) -> tuple[str, ...]:
    authors = tuple(" ".join(name.split()) for name in table.strings("authors", ()))
    for name in authors:
        if not one_line(name) or not any(char.isalpha() for char in name):
            raise table.error("authors", f"expected author names such as 'Ada Lovelace', got {name!r}")
    return authors
