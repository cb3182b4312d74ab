"""Secrets in every form they can take never leave the process (dailypapers/redact.py).

Servers on loopback refuse the SMTP login and webhook posts and echo the credentials back: the password as
given, in base64 with and without padding, AUTH PLAIN's token, AUTH LOGIN's user name, percent-encoded, hex,
JSON and HTML; a webhook URL's path token, query value and userinfo in the same forms. The real command runs
against them, and the tests' own decoder (``leaks.py``) reads stderr, stdout, every file under the config's
folder (the SQLite database and its WAL, outputs, outbox) and finds none of the secrets in any form.
"""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.cli import cli
from dailypapers.config import EmailSettings
from dailypapers.deliver.email import SmtpSession, build_message
from dailypapers.deliver.webhook import post_webhook
from dailypapers.errors import DeliveryError
from dailypapers.model import EmailBody
from dailypapers.redact import (
    MIN_PIECE,
    REDACTED,
    Redactor,
    login_forms,
    redacting_logs,
    secret_forms,
    url_forms,
    url_pieces,
)
from dailypapers.store import Store
from echo_servers import ENCODINGS, HOOK_ECHOES, EchoingHooks, echoed, echoing_hooks, echoing_smtp, hook_path
from feed_server import mount_feeds
from leaks import files_under, leaks, leaks_of

NOW = datetime(2026, 5, 16, 6, 0, tzinfo=UTC)
SENDER = "Daily Papers <papers@example.org>"
READER = "ada@example.org"
SMTP_USER = "papers-bot-7f3a"
SMTP_PASSWORD = 'Tr0ub4dor&3 "horse"/b4tt+ry=%41~'
SEGMENT_TOKEN = "Tök3n-Ségment_9f8e7d6c"
QUERY_TOKEN = "q sécret+4f9a/27=c1&e0"
HOOK_PASSWORD = "p@ss:w0rd-H00k"
NOT_SECRET = {"services", "webhooks", "incoming", "v=2", "2026-05-16"}


def hook_url(base: str, form: str) -> str:
    """A webhook URL carrying a token in its path (as a user pastes it), its query and its userinfo."""
    host = base.removeprefix("http://")
    userinfo = f"hookbot:{quote(HOOK_PASSWORD, safe='')}"
    return f"http://{userinfo}@{host}/hooks/{hook_path(form)}/{SEGMENT_TOKEN}?token={quote(QUERY_TOKEN, safe='')}&v=2"


def hook_secrets(base: str) -> list[str]:
    return [SEGMENT_TOKEN, QUERY_TOKEN, HOOK_PASSWORD, f"hookbot:{HOOK_PASSWORD}", hook_url(base, "target")]


# --- the real command against echoing servers -------------------------------------------------------------


@pytest.fixture
def arxiv() -> Iterator[ArxivServer]:
    with ArxivServer(load_seed_papers(), now=lambda: NOW) as server:
        mount_feeds(server)
        yield server


def write_config(folder: Path, arxiv: ArxivServer, delivery: str) -> Path:
    path = folder / "dailypapers.toml"
    path.write_text(
        f"""title = "Daily Papers"
contact = "researcher@example.org"
[scope]
categories = ["cs.DC"]
[arxiv]
api_url = "{arxiv.url}"
rss_url = "{arxiv.base}"
delay = 0
max_attempts = 2
[outputs]
markdown = "README.md"
issue = "issue.md"
site = "site/"
feeds = "feeds/"
[[topics]]
name = "compiler"
[[topics]]
name = "performance"
{delivery}""",
        encoding="utf-8",
    )
    return path


def email_table(port: int) -> str:
    return f"""[email]
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "none"
sender = "{SENDER}"
username_env = "DP_SMTP_USER"
password_env = "DP_SMTP_PASSWORD"
timeout = 5
[[email.recipients]]
address = "{READER}"
"""


def webhook_tables(forms: list[str]) -> str:
    return "".join(
        f'[[webhooks]]\nkind = "json"\nurl_env = "DP_HOOK_{number}"\nmax_attempts = 1\ntimeout = 5\n'
        for number, _ in enumerate(forms)
    )


def invoke(config: Path, environment: dict[str, str], *args: str) -> Result:
    env = {"DAILYPAPERS_NOW": NOW.isoformat(), "DAILYPAPERS_DELAY": "0", **environment}
    return CliRunner().invoke(cli, ["--debug", "run", "--config", str(config), *args], env=env)


def assert_nothing_shows(results: list[Result], folder: Path, secrets: list[str]) -> None:
    for number, result in enumerate(results, start=1):
        assert leaks_of(result.stdout, secrets) == {}, f"stdout of run {number}"
        assert leaks_of(result.stderr, secrets) == {}, f"stderr of run {number}"
    files = files_under(folder)
    # a dry run alone writes only its outbox: no database, no page
    assert {"dailypapers.db", "README.md"} <= set(files) or "outbox/README.md" in files
    for name, data in files.items():
        assert leaks_of(data, secrets) == {}, name


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_refused_login_echoed_in_every_form_shows_nowhere(tmp_path: Path, arxiv: ArxivServer, mechanism: str) -> None:
    """The server offers one mechanism, refuses it and quotes back what it got, in every encoding."""
    with echoing_smtp(mechanism) as (login, port):
        config = write_config(tmp_path, arxiv, email_table(port))
        environment = {"DP_SMTP_USER": SMTP_USER, "DP_SMTP_PASSWORD": SMTP_PASSWORD}
        dry = invoke(config, environment, "--dry-run")
        runs = [invoke(config, environment), invoke(config, environment, "--json")]
    assert dry.exit_code == 0, dry.output
    assert [result.exit_code for result in runs] == [1, 1]
    assert [tried for tried, _, _ in login.logins] == [mechanism, mechanism]
    assert login.logins[0][2] == SMTP_PASSWORD.encode(), "the password was sent"
    [error] = [line for line in runs[0].stderr.splitlines() if line.startswith("dailypapers: error:")]
    assert f"login refused: 535 5.7.8 {mechanism} refused: AUTH PLAIN: {REDACTED}" in error
    [delivered] = json.loads(runs[1].stdout)["deliveries"]
    assert delivered["status"] == "failed" and REDACTED in delivered["detail"]
    assert_nothing_shows([dry, *runs], tmp_path, [SMTP_PASSWORD, SMTP_USER])


@pytest.mark.parametrize("status", [404, 503])
def test_a_webhook_echoing_its_token_in_every_form_shows_nowhere(
    tmp_path: Path, arxiv: ArxivServer, status: int
) -> None:
    """One webhook per echo form (the token as a path segment, a query value, the userinfo, each encoded);
    all refuse with ``status`` and an error body quoting the token."""
    forms = list(HOOK_ECHOES)
    with echoing_hooks() as hooks:
        hooks.status = status
        config = write_config(tmp_path, arxiv, webhook_tables(forms))
        environment = {f"DP_HOOK_{number}": hook_url(hooks.base, form) for number, form in enumerate(forms)}
        runs = [invoke(config, environment), invoke(config, environment, "--json")]
    assert [result.exit_code for result in runs] == [1, 1], runs[0].output
    assert sorted(hooks.asked) == sorted([hook_path(form) for form in forms] * 2)
    deliveries = json.loads(runs[1].stdout)["deliveries"]
    assert {delivered["status"] for delivered in deliveries} == {"failed"}
    assert all(f"HTTP {status}" in delivered["detail"] for delivered in deliveries)
    shown = [delivered["detail"] for delivered in deliveries if REDACTED in delivered["detail"]]
    assert len(shown) > len(forms) // 2, "the error bodies are quoted, with the token blanked"
    assert_nothing_shows(runs, tmp_path, hook_secrets(hooks.base))


def test_a_dry_run_outbox_and_every_line_hold_no_secret(tmp_path: Path, arxiv: ArxivServer) -> None:
    """Email and webhooks together, with --dry-run and then for real: the outbox files, the messages and the
    database hold neither the login nor any piece of the webhook URLs."""
    forms = ["base64", "percent-encoded", "userinfo"]
    with echoing_smtp("PLAIN") as (_, port), echoing_hooks() as hooks:
        config = write_config(tmp_path, arxiv, email_table(port) + webhook_tables(forms))
        environment = {f"DP_HOOK_{number}": hook_url(hooks.base, form) for number, form in enumerate(forms)}
        environment |= {"DP_SMTP_USER": SMTP_USER, "DP_SMTP_PASSWORD": SMTP_PASSWORD}
        runs = [invoke(config, environment, "--dry-run", "--json"), invoke(config, environment, "--json")]
    assert [result.exit_code for result in runs] == [0, 1]
    assert len(list((tmp_path / "outbox").glob("run-*"))) == 1 + len(forms)  # beside the page, site and feeds
    assert_nothing_shows(runs, tmp_path, [SMTP_PASSWORD, SMTP_USER, *hook_secrets(hooks.base)])


def test_a_login_that_is_the_senders_address_still_shows_in_the_outbox(tmp_path: Path, arxiv: ArxivServer) -> None:
    """The config shows the sender's address; a login equal to it is no secret, and a dry run's message keeps
    its From header, while the password stays hidden."""
    with echoing_smtp("LOGIN") as (_, port):
        config = write_config(tmp_path, arxiv, email_table(port))
        environment = {"DP_SMTP_USER": "papers@example.org", "DP_SMTP_PASSWORD": SMTP_PASSWORD}
        dry = invoke(config, environment, "--dry-run")
    assert dry.exit_code == 0, dry.output
    [message] = (tmp_path / "outbox").glob("run-*")
    assert f"From: {SENDER}" in message.read_text(encoding="utf-8")
    assert leaks_of(message.read_bytes(), [SMTP_PASSWORD]) == {}
    assert_nothing_shows([dry], tmp_path, [SMTP_PASSWORD])


def test_an_error_body_is_redacted_before_it_is_cut(tmp_path: Path) -> None:
    """A webhook's error is quoted up to a length; cut first, the start of an encoded token would show."""
    with echoing_hooks() as hooks:
        url = hook_url(hooks.base, "cut")
        with pytest.raises(DeliveryError) as caught:
            post_webhook(url, {"text": "hi"}, name="json:HOOK", user_agent="test", max_attempts=1, timeout=5)
    encoded = base64.b64encode(QUERY_TOKEN.encode()).decode()
    message = str(caught.value)
    assert message.endswith(f"e {REDACTED}") and "HTTP 400" in message
    assert encoded[:6] not in message


# --- the store, the log, run --json ------------------------------------------------------------------------


def test_the_database_never_keeps_a_secret_in_a_runs_message(tmp_path: Path) -> None:
    """The store's writes of free text (a failed run's message) pass through the redactor, WAL and all."""
    database = tmp_path / "dailypapers.db"
    redactor = login_forms(SMTP_USER, SMTP_PASSWORD) | url_forms(hook_url("http://127.0.0.1:1", "target"))
    with Store.open(database) as store:
        store.scrub = redactor
        for text in (SMTP_PASSWORD, echoed(SMTP_PASSWORD), echoed(SEGMENT_TOKEN), echoed(QUERY_TOKEN)):
            store.log_run(NOW, NOW, "failed", 1, f"refused: {text}")
        run = store.begin_run(NOW)
        store.finish_run(run, NOW, "new", message=echoed(SMTP_PASSWORD))
        files = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
        assert "dailypapers.db-wal" in files, "the WAL is read too, while it holds the writes"
    for name, data in [*files.items(), ("after closing", database.read_bytes())]:
        assert leaks_of(data, [SMTP_PASSWORD, SEGMENT_TOKEN, QUERY_TOKEN]) == {}, name
    with sqlite3.connect(database) as db:
        messages = [row[0] for row in db.execute("SELECT message FROM runs ORDER BY id")]
    assert messages[0] == f"refused: {REDACTED}"


def test_log_records_are_redacted_before_any_handler_formats_them(tmp_path: Path) -> None:
    """Python logging (the library's ``log.warning``), with arguments and a traceback, goes through it too."""
    path = tmp_path / "log.txt"
    handler = logging.FileHandler(path, encoding="utf-8")
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with redacting_logs(login_forms(SMTP_USER, SMTP_PASSWORD)):
            try:
                raise ValueError(f"refused {echoed(SMTP_PASSWORD)}")
            except ValueError:
                logging.getLogger("dailypapers.test").exception("login %s failed: %s", SMTP_USER, SMTP_PASSWORD)
        logging.getLogger("dailypapers.test").warning("after: %s", "not redacted any more")
    finally:
        root.removeHandler(handler)
        handler.close()
    text = path.read_text(encoding="utf-8")
    assert f"login {REDACTED} failed: {REDACTED}" in text and "ValueError: refused" in text
    assert leaks_of(text, [SMTP_PASSWORD, SMTP_USER]) == {}
    assert "after: not redacted any more" in text


LAST_RESORT = """
import logging, sys
from dailypapers.redact import login_forms, redacting_logs
with redacting_logs(login_forms(sys.argv[1], sys.argv[2])):
    logging.getLogger("dailypapers.arxiv").warning("skipped an entry: %s", " ".join(sys.argv[1:]))
"""


def test_a_process_without_log_handlers_prints_redacted_records() -> None:
    """With no handler configured, Python's last resort prints warnings to stderr: redacted as well."""
    done = subprocess.run(
        [sys.executable, "-c", LAST_RESORT, SMTP_USER, SMTP_PASSWORD], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stderr == f"skipped an entry: {REDACTED} {REDACTED}\n"


def test_an_error_line_its_traceback_and_the_json_failure_are_redacted(tmp_path: Path, arxiv: ArxivServer) -> None:
    """A one-line error quoting a value that is also a secret (here DAILYPAPERS_NOW set to the password): the
    line, the ``--debug`` traceback and ``run --json``'s failure object blank it."""
    with echoing_smtp("PLAIN") as (_, port):
        config = write_config(tmp_path, arxiv, email_table(port))
        environment = {"DP_SMTP_USER": SMTP_USER, "DP_SMTP_PASSWORD": SMTP_PASSWORD}
        ran = invoke(config, environment | {"DAILYPAPERS_NOW": SMTP_PASSWORD}, "--json")
    assert ran.exit_code == 2
    assert f"DAILYPAPERS_NOW: expected an ISO 8601 time, got '{REDACTED}'" in ran.stderr
    assert "Traceback (most recent call last)" in ran.stderr, "--debug shows the traceback"
    assert json.loads(ran.stdout)["outcome"] == "failed"
    assert leaks_of(ran.output, [SMTP_PASSWORD]) == {}


def test_json_values_are_redacted_before_they_are_encoded() -> None:
    """Redacting the encoded line could cut through JSON syntax; the values are redacted first, keys too."""
    redactor = secret_forms('a","b')
    value: dict[str, Any] = {'a","b': ['x a","b y', 3, None, {"k": 'a","b'}]}
    assert redactor.json(value) == {REDACTED: [f"x {REDACTED} y", 3, None, {"k": REDACTED}]}


# --- which forms, and which pieces are no secret --------------------------------------------------------------


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("secret", [SMTP_PASSWORD, SEGMENT_TOKEN, QUERY_TOKEN, "🔑 key\u2028with\tcontrols"])
def test_every_encoding_of_a_secret_is_blanked(encoding: str, secret: str) -> None:
    text = f"refused: {ENCODINGS[encoding](secret)}; try again"
    shown = secret_forms(secret)(text)
    assert leaks(shown, secret) == [], shown
    assert shown.startswith("refused: ") and shown.endswith("; try again")


def test_a_login_is_blanked_in_each_way_smtp_sends_it() -> None:
    from echo_servers import login_echo

    shown = login_forms(SMTP_USER, SMTP_PASSWORD)(login_echo(SMTP_USER.encode(), SMTP_PASSWORD.encode()))
    assert leaks_of(shown, [SMTP_PASSWORD, SMTP_USER]) == {}, shown
    assert "AUTH PLAIN: ***" in shown and "AUTH LOGIN user: ***" in shown


@pytest.mark.parametrize(
    ("url", "secret_pieces", "not_secret"),
    [
        (
            "https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/XyZsecretTOKEN0123456789",
            ["T0AB12CD3", "B0EF45GH6", "XyZsecretTOKEN0123456789"],
            ["services", "hooks.slack.com"],
        ),
        (
            "https://discord.com/api/webhooks/123456789012345678/abcDEF-ghiJKL_mnoPQR",
            ["123456789012345678", "abcDEF-ghiJKL_mnoPQR"],
            ["webhooks", "api", "discord.com"],
        ),
        (
            "https://example.org/hook?token=q-secret-4f9a27c1e0&v=2&mode=incoming",
            ["q-secret-4f9a27c1e0", "token=q-secret-4f9a27c1e0&v=2&mode=incoming"],
            ["incoming", "v=2", "/hook"],
        ),
        (
            "https://bot:hunter2-SECRET@example.org/post",
            ["bot:hunter2-SECRET", "hunter2-SECRET"],
            ["example.org", "/post", "bot"],
        ),
    ],
)
def test_the_pieces_of_a_secret_url(url: str, secret_pieces: list[str], not_secret: list[str]) -> None:
    """Each long token-like piece is a secret; words and short values of the same URL are not."""
    redactor = url_forms(url)
    for piece in secret_pieces:
        assert redactor(f"[{piece}]") == f"[{REDACTED}]", piece
    for word in not_secret:
        assert redactor(f"[{word}]") == f"[{word}]", word
    assert redactor(url) == REDACTED


def test_short_and_word_like_pieces_count_from_their_minimum() -> None:
    assert {piece for piece in url_pieces("https://h.example/a/bcdefgh/services/x?v=2") if len(piece) >= MIN_PIECE}
    redactor = url_forms("https://h.example/a/bcdefgh/services/x?v=2")
    text = "a bcdefgh services x v=2 2026-05-16 web services"
    assert redactor(text) == text


def test_a_short_password_is_still_blanked_whole() -> None:
    """A secret as given counts whatever its length: a short password shown is still a password shown."""
    assert secret_forms("pw1")("login pw1 refused") == f"login {REDACTED} refused"


def test_nothing_to_hide_changes_nothing() -> None:
    text = "%41 &amp; \\u0041 \\x41 plain"
    assert Redactor()(text) == text
    assert secret_forms("unrelated-secret")(text) == text


# --- properties: any secret, echoed any way ---------------------------------------------------------------

SECRET_ALPHABET = st.characters(codec="utf-8", exclude_characters="*")  # utf-8: no lone surrogates


def plausible(secret: str) -> bool:
    """Eight characters, four of them different: shorter or flatter strings occur in ordinary text."""
    return len(secret) >= 8 and len(set(secret)) >= 4


@settings(max_examples=300, deadline=None)
@given(secret=st.text(SECRET_ALPHABET, min_size=8, max_size=40), around=st.text(max_size=12), data=st.data())
def test_any_secret_in_any_encoding_is_never_shown(secret: str, around: str, data: st.DataObject) -> None:
    assume(plausible(secret) and "*" not in around)
    encoding = data.draw(st.sampled_from(list(ENCODINGS)))
    shown = login_forms(None, secret)(f"{around}{ENCODINGS[encoding](secret)}{around}")
    assert leaks(shown, secret) == [], (encoding, shown)


URL_TOKEN = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters="*"),
    min_size=MIN_PIECE,
    max_size=30,
).filter(lambda token: plausible(token) and not token.islower())


@pytest.fixture(scope="module")
def hooks_server() -> Iterator[EchoingHooks]:
    with echoing_hooks() as hooks:
        yield hooks


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segment=URL_TOKEN, token=URL_TOKEN, data=st.data())
def test_any_url_token_a_webhook_echoes_is_never_shown(
    hooks_server: EchoingHooks, segment: str, token: str, data: st.DataObject
) -> None:
    """A real POST to a real server, which answers 4xx or 5xx echoing the URL's tokens in a drawn form."""
    form = data.draw(st.sampled_from(list(HOOK_ECHOES)))
    hooks_server.status = data.draw(st.sampled_from([400, 403, 404, 410, 500, 502, 503]))
    host = hooks_server.base.removeprefix("http://")
    url = f"http://{host}/hooks/{hook_path(form)}/{quote(segment, safe='')}?token={quote(token, safe='')}&v=2"
    with pytest.raises(DeliveryError) as caught:
        post_webhook(url, {"text": "hi"}, name="json:HOOK", user_agent="test", max_attempts=1, timeout=5)
    shown = url_forms(url)(str(caught.value))
    assert leaks_of(shown, [segment, token]) == {}, (form, shown)


@pytest.fixture(scope="module")
def smtp_echo() -> Iterator[int]:
    with echoing_smtp("PLAIN") as (_, port):
        yield port


ASCII_PASSWORD = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="*"), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(password=ASCII_PASSWORD)
def test_any_password_a_server_echoes_is_never_shown(smtp_echo: int, password: str) -> None:
    """smtplib sends ASCII logins only; every printable one, echoed back in every form, stays hidden."""
    assume(plausible(password))
    settings_ = EmailSettings(
        smtp_host="127.0.0.1",
        smtp_port=smtp_echo,
        security="none",
        sender=SENDER,
        recipients=(),
        username_env="USER_VARIABLE",
        password_env="PASSWORD_VARIABLE",
        timeout=5.0,
    )
    body = EmailBody("subject", "text", "<p>html</p>")
    message = build_message(body, SENDER, READER, "<id@example.org>", datetime(2026, 5, 16, tzinfo=UTC))
    environ = {"USER_VARIABLE": SMTP_USER, "PASSWORD_VARIABLE": password}
    with SmtpSession(settings_, environ) as session, pytest.raises(DeliveryError) as caught:
        session.send(message, READER)
    assert "535" in str(caught.value)
    assert leaks_of(str(caught.value), [password, SMTP_USER]) == {}, str(caught.value)
