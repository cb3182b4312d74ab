"""The config's ``[summaries]`` table: one OpenAI-compatible endpoint that writes a TL;DR per paper.

Without the table nothing is ever sent to a model. The API key never sits in the file: ``api_key_env`` names the
environment variable holding it (a local llama.cpp or Ollama server needs none, so the key is optional); the
variable joins ``Config.secrets``, so a run checks it is set before its first request and every line it prints
is redacted of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from dailypapers.config.delivery import SecretVariable, env_name
from dailypapers.config.table import Table, one_line, url_problem

SUMMARIES_KEYS = ("base_url", "model", "api_key_env", "language", "max_papers", "max_tokens", "timeout")
_EXAMPLE_URL = "http://127.0.0.1:8080/v1"


@dataclass(frozen=True)
class SummarySettings:
    """``[summaries]``: where to ask (``base_url`` up to ``/v1``), which ``model``, in which ``language``; at
    most ``max_papers`` requests per run, ``max_tokens`` per answer, ``timeout`` seconds per request."""

    base_url: str
    model: str
    api_key_env: str | None = None
    language: str = "English"
    max_papers: int = 50
    max_tokens: int = 300
    timeout: float = 60.0

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/chat/completions"


def summary_settings(top: Table) -> SummarySettings | None:
    if "summaries" not in top.data:
        return None
    table = top.table("summaries", SUMMARIES_KEYS)
    base_url = table.get("base_url", str, "").strip().rstrip("/")
    problem = url_problem(base_url, _EXAMPLE_URL)
    if problem is not None:
        raise table.error("base_url", problem + " (the endpoint's root, before /chat/completions)")
    return SummarySettings(
        base_url=base_url,
        model=_text(table, "model", None, 200),
        api_key_env=env_name(table, "api_key_env"),
        language=_text(table, "language", "English", 40),
        max_papers=table.bounded("max_papers", int, 50, 0, 10_000),
        max_tokens=table.bounded("max_tokens", int, 300, 16, 32_768),
        timeout=table.bounded("timeout", float, 60.0, 0.0, 600.0, above=True),
    )


def _text(table: Table, key: str, default: str | None, longest: int) -> str:
    """One line of text, not empty, at most ``longest`` characters: it goes into every request."""
    value = table.get(key, str, default or "").strip()
    if not value:
        raise table.error(key, f"needs a value, such as {'qwen2.5-7b-instruct' if key == 'model' else 'English'!r}")
    if not one_line(value) or len(value) > longest:
        raise table.error(key, f"expected one line of at most {longest} characters, got {value[:60]!r}")
    return value


def summary_secrets(settings: SummarySettings | None) -> tuple[SecretVariable, ...]:
    """The API key's variable, when the table names one."""
    if settings is None or settings.api_key_env is None:
        return ()
    return (SecretVariable(settings.api_key_env, "the language model's API key ([summaries] api_key_env)"),)
