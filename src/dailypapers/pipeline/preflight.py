"""Checks made before the first request to arXiv, so that a bad set-up costs no requests.

A run that would fail only at its end (an output folder it cannot write, a secret missing from the
environment) fails at its start instead, with one line saying what to fix. The database is checked by the
run itself (``Store.check_writable``); disk space cannot be known in advance, so staging checks it before the
commit.

Every delivery target names the environment variables it needs in ``Config.secrets``, the list the redactor
reads too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from dailypapers.config import Config
from dailypapers.config.delivery import SecretVariable
from dailypapers.errors import ConfigError
from dailypapers.files import check_writable


def missing_secrets(config: Config, environ: Mapping[str, str]) -> list[SecretVariable]:
    """The secrets the config names that the environment does not hold (or holds empty)."""
    return [secret for secret in config.secrets if not environ.get(secret.variable)]


def check_secrets(config: Config, environ: Mapping[str, str]) -> None:
    missing = missing_secrets(config, environ)
    if missing:
        first = missing[0]
        more = f" (and {len(missing) - 1} more: {', '.join(s.variable for s in missing[1:])})" if missing[1:] else ""
        raise ConfigError(
            "environment",
            first.variable,
            f"not set or empty; it holds {first.holds}: set it before the run{more}",
        )


def destinations(config: Config) -> Iterator[tuple[Path, bool]]:
    """Every output path the run writes, and whether it is a folder."""
    outputs = config.outputs
    places = ((outputs.markdown, False), (outputs.issue, False), (outputs.site, True), (outputs.feeds, True))
    for path, folder in places:
        if path is not None:
            yield path, folder


def check_outputs(config: Config, outbox: Path | None = None) -> None:
    """Every output can be written (with ``outbox``, a dry run's: only the outbox must be writable)."""
    if outbox is not None:
        check_writable(outbox, folder=True)
        return
    for path, folder in destinations(config):
        check_writable(path, folder)
