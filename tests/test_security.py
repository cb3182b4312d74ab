"""What a run writes and whom it talks to: paper text never becomes markup in any output, secrets never reach a
file or a log line, and a run talks to the servers its config names and to nothing else.

Everything is real: the local arXiv server (export API, announcement feeds, OAI-PMH), an SMTP server on
loopback (aiosmtpd), a webhook receiver and a proxy "trap" (http.server and socketserver), the command in a
subprocess or through click's runner, and HTML read back with lxml's HTML parser.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import os
import re
import socket
import socketserver
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from click.testing import CliRunner
from lxml import etree
from markdown_it import MarkdownIt

from arxiv_server import ArxivServer, load_seed_papers
from dailypapers.cli import cli
from dailypapers.model import Author, Paper
from dailypapers.query import to_api_query, topic_query
from dailypapers.render.assets import KATEX
from feed_server import mount_feeds
from loopback import Mailbox, QuietHandler, running, serve_http, smtp_server
from oai_server import mount_oai

NOW = datetime(2026, 5, 16, 6, 0, tzinfo=UTC)
SENDER = "Daily Papers <papers@example.org>"
READER = "ada@example.org"

# --- hostile papers -------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
BREAKOUT = '"><svg onload=alert(1)>'
JAVASCRIPT = "javascript:alert(1)"
HTML_LINK = f'<a href="{JAVASCRIPT}">click</a>'
MARKDOWN_LINK = f"[click]({JAVASCRIPT})"
MARKDOWN_IMAGE = f"![x]({JAVASCRIPT})"
HOSTILE_TOPICS = (SCRIPT, BREAKOUT, IMAGE, JAVASCRIPT)


def hostile_papers() -> list[Paper]:
    """Papers whose every text field tries to become a tag, a handler or a link; each is on several topics."""
    moment = NOW - timedelta(days=1)
    base = Paper(
        id="2605.00001",
        version=1,
        title=f"{SCRIPT} considered harmful",
        abstract=f"We inject {BREAKOUT} and {IMAGE} and {HTML_LINK} into {JAVASCRIPT} pages.</p>{SCRIPT}",
        authors=(Author(IMAGE, (SCRIPT,)), Author(BREAKOUT), Author("Eve 'quote' O\"Brien")),
        categories=("cs.DC", "cs.CR"),
        primary_category="cs.DC",
        published=moment,
        updated=moment,
        comment=f"{JAVASCRIPT} {HTML_LINK} {SCRIPT}",
        journal_ref=f"<iframe src={JAVASCRIPT}></iframe>",
        doi=JAVASCRIPT,
    )
    markdown = replace(
        base,
        id="2605.00002",
        title=f"{BREAKOUT} and {JAVASCRIPT} in titles {MARKDOWN_LINK}",
        abstract=f"See {MARKDOWN_LINK} and {MARKDOWN_IMAGE}; then {SCRIPT} and {IMAGE} run.",
        authors=(Author(f"[Eve]({JAVASCRIPT})"), Author(IMAGE)),
        comment=f"{MARKDOWN_LINK} with a comment long enough to be folded",
        doi='10.1000/x"onmouseover=alert(1)',
        published=moment - timedelta(hours=1),
        updated=moment - timedelta(hours=1),
    )
    revised = replace(base, version=2, updated=moment + timedelta(hours=1))
    return [base, revised, markdown]


def hostile_config(folder: Path, server: ArxivServer, extra: str = "") -> Path:
    topics = "".join(f"[[topics]]\nname = {json.dumps(name)}\n" for name in HOSTILE_TOPICS)
    path = folder / "dailypapers.toml"
    path.write_text(
        f"""title = {json.dumps("Papers " + SCRIPT)}
contact = "researcher@example.org"
link = "https://ada.github.io/papers/"
columns = ["Title", "Date", "Abstract", "Comment", "Authors", "Categories", "PDF"]
[scope]
categories = ["cs.DC"]
[outputs]
markdown = "README.md"
issue = "issue.md"
site = "site/"
feeds = "feeds/"
[arxiv]
api_url = "{server.url}"
rss_url = "{server.base}"
delay = 0
max_attempts = 2
{extra}
{topics}""",
        encoding="utf-8",
    )
    return path


# --- reading HTML back ----------------------------------------------------------------------------------

FORBIDDEN_ELEMENTS = frozenset({"script", "iframe", "frame", "object", "embed", "applet", "svg", "math", "base"})
# Attributes a browser or a feed reader follows or loads as a URL (HTML's, SVG's xlink:href, Atom's scheme).
URL_ATTRIBUTES = frozenset(
    {"href", "src", "srcset", "action", "formaction", "background", "poster", "data", "cite", "scheme"}
)
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def dangerous_url(value: str) -> bool:
    """Whether a browser would run ``value`` as a URL: schemes ignore case, spaces and control characters."""
    return _INVISIBLE.sub("", value).lower().startswith(DANGEROUS_SCHEMES)


def executable_markup(root: Any, own_scripts: frozenset[str] = frozenset()) -> list[str]:
    """Every script, active element, event handler or script URL under ``root`` (lxml HTML or XML elements).

    ``own_scripts`` are the ``src`` of the scripts a page is meant to load (the site's filter), without inline code.
    """
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):  # a comment or a processing instruction
            continue
        tag = etree.QName(element).localname.lower()
        if tag == "script" and element.get("src") in own_scripts and not (element.text or "").strip():
            pass
        elif tag in FORBIDDEN_ELEMENTS:
            found.append(f"<{tag}> element")
        for name, value in element.attrib.items():
            local = etree.QName(name).localname.lower()
            if local.startswith("on") or (local in URL_ATTRIBUTES and dangerous_url(value)):
                found.append(f"<{tag} {local}={value!r}>")
    return found


def html_document(text: str) -> Any:
    return lxml.html.document_fromstring(text)


def html_fragment(text: str) -> Any:
    return lxml.html.fragment_fromstring(text, create_parent="div")


class TrustingMarkdown(MarkdownIt):
    """A renderer that keeps every link target, as one that trusts the text it is given."""

    def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
        return True


def markdown_html(markdown: str, *, check_links: bool) -> Any:
    """Markdown as a CommonMark renderer with GFM tables and raw HTML on shows it (front matter left out).

    With ``check_links``, link targets with a script scheme are dropped, as CommonMark's and GitHub's renderers
    do; without, every target is kept, as in a renderer that trusts the text it is given.
    """
    body = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.DOTALL)
    kind = MarkdownIt if check_links else TrustingMarkdown
    renderer = kind("commonmark", {"html": True}).enable("table")
    return html_fragment(renderer.render(body))


def visible_text(root: Any) -> str:
    return " ".join(root.text_content().split())


# --- (a) escaping in every output ---------------------------------------------------------------------


@dataclass(frozen=True)
class Outputs:
    folder: Path

    def text(self, relative: str) -> str:
        return (self.folder / relative).read_text(encoding="utf-8")

    def emails(self) -> list[EmailMessage]:
        messages = []
        for path in sorted(self.folder.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            messages.append(message)
        return messages


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outputs]:
    """One dry run over the hostile papers with hostile topic names: every output and email in outbox/."""
    folder = tmp_path_factory.mktemp("hostile")
    email_table = f"""[email]
smtp_host = "127.0.0.1"
smtp_port = 9
security = "none"
sender = "{SENDER}"
[[email.recipients]]
address = "{READER}"
"""
    with ArxivServer(hostile_papers(), now=lambda: NOW) as server:
        mount_feeds(server)
        path = hostile_config(folder, server, email_table)
        environment: dict[str, str | None] = {"DAILYPAPERS_NOW": NOW.isoformat(), "DAILYPAPERS_DELAY": "0"}
        environment |= dict.fromkeys(("DAILYPAPERS_API_URL", "DAILYPAPERS_RSS_URL", "DAILYPAPERS_OAI_URL"))
        result = CliRunner().invoke(cli, ["run", "--config", str(path), "--dry-run"], env=environment)
    assert result.exit_code == 0, result.output
    yield Outputs(folder / "outbox")  # a dry run renders every output there


def test_the_hostile_papers_reach_every_output_as_text(hostile: Outputs) -> None:
    """Not a vacuous pass: each output shows the attacks as the words they are."""
    topic_pages = sorted((hostile.folder / "site" / "topics").glob("*.html"))
    assert len(topic_pages) == len(HOSTILE_TOPICS)
    for page in topic_pages:
        shown = visible_text(html_document(page.read_text(encoding="utf-8")))
        assert f"{SCRIPT} considered harmful" in shown
        assert IMAGE in shown and BREAKOUT in shown
    index = visible_text(html_document(hostile.text("site/index.html")))
    assert all(name in index for name in HOSTILE_TOPICS)
    (message,) = hostile.emails()
    html_part = message.get_body(("html",))
    assert html_part is not None
    shown = visible_text(html_document(html_part.get_content()))
    assert SCRIPT in shown and HTML_LINK in shown and all(name in shown for name in HOSTILE_TOPICS)
    feed = etree.fromstring((hostile.folder / "feeds" / "all.xml").read_bytes())
    content = " ".join(" ".join(str(part) for part in feed.itertext()).split())
    assert SCRIPT in content and IMAGE in content and MARKDOWN_LINK in content
    for name in ("README.md", "issue.md"):
        shown = visible_text(markdown_html(hostile.text(name), check_links=True))
        assert f"{SCRIPT} considered harmful" in shown and IMAGE in shown and SCRIPT in shown


def test_no_site_page_carries_executable_markup(hostile: Outputs) -> None:
    pages = sorted((hostile.folder / "site").rglob("*.html"))
    assert len(pages) >= 1 + len(HOSTILE_TOPICS) + 1  # the index, a page per topic, a day
    katex = f"../{KATEX}"
    own = frozenset(
        {"filter.js", "../filter.js", "../tex.js", f"{katex}/katex.min.js", f"{katex}/contrib/auto-render.min.js"}
    )
    for page in pages:
        found = executable_markup(html_document(page.read_text(encoding="utf-8")), own)
        assert found == [], page.relative_to(hostile.folder)


def test_the_email_html_part_carries_no_executable_markup(hostile: Outputs) -> None:
    (message,) = hostile.emails()
    html_part = message.get_body(("html",))
    assert html_part is not None and html_part.get_content_type() == "text/html"
    assert executable_markup(html_document(html_part.get_content())) == []


def test_no_feed_carries_executable_markup(hostile: Outputs) -> None:
    """The XHTML content of each entry, every attribute of the feed, and any text a reader parses as HTML."""
    feeds = sorted((hostile.folder / "feeds").glob("*.xml"))
    assert len(feeds) == 1 + len(HOSTILE_TOPICS)
    for path in feeds:
        root = etree.fromstring(path.read_bytes())
        assert executable_markup(root) == [], path.name
        for element in root.iter("{http://www.w3.org/2005/Atom}*"):
            if element.get("type") == "html" and element.text:
                assert executable_markup(html_fragment(element.text)) == [], path.name
        contents = root.findall(".//{http://www.w3.org/2005/Atom}content")
        assert contents and all(content.get("type") == "xhtml" for content in contents)


@pytest.mark.parametrize("name", ["README.md", "issue.md"])
def test_markdown_outputs_render_without_executable_markup(hostile: Outputs, name: str) -> None:
    """The page and the notification as GitHub shows them: raw HTML in the Markdown is rendered as HTML."""
    assert executable_markup(markdown_html(hostile.text(name), check_links=True)) == []


@pytest.mark.parametrize("name", ["README.md", "issue.md"])
def test_markdown_outputs_hold_no_link_to_a_script_url(hostile: Outputs, name: str) -> None:
    """The Markdown itself carries no ``javascript:`` link, for renderers that do not filter link targets."""
    assert executable_markup(markdown_html(hostile.text(name), check_links=False)) == []


# --- servers for (b) and (c) ----------------------------------------------------------------------------


@dataclass
class RecordingMailbox(Mailbox):
    """A ``Mailbox`` that also logs every command and every login tried; a login may be refused."""

    user: str = ""
    password: str = ""
    accept_logins: bool = True
    commands: list[tuple[str, str]] = field(default_factory=list)
    logins: list[tuple[str, bytes, bytes]] = field(default_factory=list)

    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook names
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        self.commands.append(("EHLO", ""))
        session.host_name = hostname  # what aiosmtpd does itself when no hook takes over EHLO
        return responses

    async def handle_MAIL(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.commands.append(("MAIL", address))
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        self.commands.append(("RCPT", address))
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.commands.append(("DATA", ""))
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.commands.append(("QUIT", ""))
        return "221 Bye"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        """Accept the configured login, or refuse it echoing what was sent, as a careless server might."""
        assert isinstance(data, LoginPassword)
        self.commands.append(("AUTH", mechanism))
        self.logins.append((mechanism, data.login, data.password))
        good = data.login == self.user.encode() and data.password == self.password.encode()
        if self.accept_logins and good:
            return AuthResult(success=True)
        sent = data.password.decode("utf-8", "replace")
        echo = base64.b64encode(b"\0" + data.login + b"\0" + data.password).decode("ascii")
        return AuthResult(success=False, handled=False, message=f"535 5.7.8 {sent} ({echo}) is not the password")


@pytest.fixture
def mailbox() -> Iterator[tuple[RecordingMailbox, int]]:
    box = RecordingMailbox()
    with smtp_server(box, authenticator=box.authenticate, auth_require_tls=False) as port:
        yield box, port


@dataclass
class Hooks:
    """A webhook receiver: the requests it got; failing, it answers with the URL it was called at, token and all."""

    status: int = 200
    base: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    received = Hooks()

    class Handler(QuietHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            body = self.read_body()
            received.requests.append(("POST", self.path))
            answer = b""
            if received.status == 200:
                received.bodies.append(json.loads(body))
            else:
                answer = f"no hook at {self.path} (http://{self.headers.get('Host')}{self.path})".encode()
            self.answer(received.status, answer)

        def do_GET(self) -> None:  # noqa: N802
            received.requests.append(("GET", self.path))
            self.answer(405)

    with serve_http(Handler) as base:
        received.base = base
        yield received


class Trap(socketserver.ThreadingTCPServer):
    """A proxy that must never be used: it records the first line of whatever reaches it and answers 502."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.hits: list[str] = []
        super().__init__(("127.0.0.1", 0), _TrapHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _TrapHandler(socketserver.StreamRequestHandler):
    server: Trap

    def handle(self) -> None:
        self.connection.settimeout(5)
        try:
            line = self.rfile.readline(4096)
        except OSError:
            line = b""
        self.server.hits.append(line.decode("latin-1").strip() or "(a connection without a request)")
        self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.fixture
def trap() -> Iterator[Trap]:
    with running(Trap()) as server:
        yield server


# --- the command in a subprocess ------------------------------------------------------------------------

# Runs the command with an audit hook (PEP 578) that writes every socket event to the file named first: what the
# process connected to, which names it resolved. The hook observes; nothing in socket, httpx or smtplib changes.
AUDITED = """
import json, sys
log = open(sys.argv[1], "a", encoding="utf-8", buffering=1)
OTHER = {"socket.gethostbyname", "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg", "socket.getnameinfo"}
def hook(event, args):
    if event == "socket.connect":
        address = args[1]
        log.write(json.dumps(["connect", list(address) if isinstance(address, tuple) else str(address)]) + "\\n")
    elif event == "socket.getaddrinfo":
        log.write(json.dumps(["resolve", str(args[0])]) + "\\n")
    elif event in OTHER:
        log.write(json.dumps([event, repr(args)]) + "\\n")
sys.addaudithook(hook)
from dailypapers.cli import main
sys.argv = ["dailypapers", *sys.argv[2:]]
main()
"""
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def base_environment(extra: dict[str, str]) -> dict[str, str]:
    """This process's environment without dailypapers settings or proxies, plus ``extra``."""
    proxies = {name.lower() for name in PROXY_VARIABLES}
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DAILYPAPERS_") and name.lower() not in proxies
    }
    environment.update({"DAILYPAPERS_DELAY": "0", "PYTHONUNBUFFERED": "1", **extra})
    return environment


def trapped(trap: Trap) -> dict[str, str]:
    """Proxy settings that send every request for another host to the trap; loopback goes direct."""
    settings = {
        "HTTP_PROXY": trap.url,
        "HTTPS_PROXY": trap.url,
        "ALL_PROXY": trap.url,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    return settings | {name.lower(): value for name, value in settings.items()}


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def dailypapers(*args: str, env: dict[str, str], audit: Path | None = None) -> Ran:
    command = [sys.executable, "-c", AUDITED, str(audit)] if audit else [sys.executable, "-m", "dailypapers"]
    done = subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=120)
    return Ran(done.returncode, done.stdout, done.stderr)


# --- (b) secrets never leak ------------------------------------------------------------------------------

PASSWORD = "Tr0ub4dor-and-3-horse-battery"
SMTP_USER = "papers-bot"
JSON_TOKEN = "s3cr3t-t0ken-for-the-json-hook"
SLACK_TOKEN = "xoxb-11112222-slack-secret"
QUERY_TOKEN = "q-secret-4f9a27c1e0"


def delivery_tables(port: int) -> str:
    return f"""[email]
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "none"
sender = "{SENDER}"
username_env = "DP_SMTP_USER"
password_env = "DP_SMTP_PASSWORD"
timeout = 10
[[email.recipients]]
address = "{READER}"
[[webhooks]]
kind = "json"
url_env = "DP_JSON_WEBHOOK"
max_attempts = 1
timeout = 10
[[webhooks]]
kind = "slack"
url_env = "DP_SLACK_WEBHOOK"
max_attempts = 1
timeout = 10
"""


def secret_forms() -> dict[str, str]:
    """Each secret, and the forms a login puts the password in on the wire (AUTH PLAIN, AUTH LOGIN)."""
    plain = base64.b64encode(f"\0{SMTP_USER}\0{PASSWORD}".encode()).decode("ascii")
    login = base64.b64encode(PASSWORD.encode()).decode("ascii")
    return {
        "the SMTP password": PASSWORD,
        "the password as AUTH PLAIN sends it": plain,
        "the password as AUTH LOGIN sends it": login,
        "the JSON webhook's token": JSON_TOKEN,
        "the Slack webhook's token": SLACK_TOKEN,
        "the token in a webhook's query": QUERY_TOKEN,
    }


def leaks(data: bytes, secrets: dict[str, str]) -> list[str]:
    return [what for what, secret in secrets.items() if secret.encode() in data]


@pytest.fixture
def hostile_arxiv() -> Iterator[ArxivServer]:
    """The export API and the announcement feeds, serving the hostile papers, with the clock at NOW."""
    with ArxivServer(hostile_papers(), now=lambda: NOW) as server:
        mount_feeds(server)
        yield server


def test_no_secret_reaches_the_output_or_any_file(
    tmp_path: Path, mailbox: tuple[RecordingMailbox, int], hooks: Hooks, hostile_arxiv: ArxivServer
) -> None:
    """A dry run, two runs whose deliveries fail (a login refused with the password echoed back, a webhook
    answering 500 with its own URL), and one that delivers, all with ``--debug``: the password, the webhook
    URLs and their tokens appear in no output, no file under the config folder and not in the database."""
    box, port = mailbox
    box.user, box.password = SMTP_USER, PASSWORD
    json_url = f"{hooks.base}/hooks/T000/B000/{JSON_TOKEN}"
    slack_url = f"{hooks.base}/services/T000/B000/{SLACK_TOKEN}?token={QUERY_TOKEN}"
    config = hostile_config(tmp_path, hostile_arxiv, delivery_tables(port))
    environment = base_environment(
        {
            "DAILYPAPERS_NOW": NOW.isoformat(),
            "DP_SMTP_USER": SMTP_USER,
            "DP_SMTP_PASSWORD": PASSWORD,
            "DP_JSON_WEBHOOK": json_url,
            "DP_SLACK_WEBHOOK": slack_url,
        }
    )
    runs: list[Ran] = []

    def run(*args: str) -> Ran:
        runs.append(dailypapers("--debug", "run", "--config", str(config), *args, env=environment))
        return runs[-1]

    dry = run("--dry-run", "--record", str(tmp_path / "recording"))
    assert dry.returncode == 0, dry.stderr
    assert len(list((tmp_path / "outbox").glob("run-*"))) == 3

    box.accept_logins, hooks.status = False, 500
    failed = run()
    failed_json = run("--json")
    assert failed.returncode == failed_json.returncode == 1, failed.stderr
    assert "login refused: 535" in failed.stderr and "HTTP 500" in failed.stderr
    assert "is not the password" in failed.stderr, "the server's echo of the password reached the client"
    deliveries = json.loads(failed_json.stdout)["deliveries"]
    assert {d["target"]: d["status"] for d in deliveries} == {
        f"email:{READER}": "failed",
        "json:DP_JSON_WEBHOOK": "failed",
        "slack:DP_SLACK_WEBHOOK": "failed",
    }
    assert any(password.decode() == PASSWORD for _, _, password in box.logins), "the password was used"

    box.accept_logins, hooks.status = True, 200
    sent = run()
    assert sent.returncode == 0, sent.stderr
    assert [recipient for recipient, _ in box.messages] == [READER]
    posted = {path for method, path in hooks.requests if method == "POST"}
    assert posted == {f"/hooks/T000/B000/{JSON_TOKEN}", f"/services/T000/B000/{SLACK_TOKEN}?token={QUERY_TOKEN}"}

    secrets = secret_forms() | {"the JSON webhook's URL": json_url, "the Slack webhook's URL": slack_url}
    for number, ran in enumerate(runs, start=1):
        assert leaks(ran.stdout.encode(), secrets) == [], f"stdout of run {number}"
        assert leaks(ran.stderr.encode(), secrets) == [], f"stderr of run {number}"
    written = sorted(path for path in tmp_path.rglob("*") if path.is_file())
    names = {path.relative_to(tmp_path).as_posix() for path in written}
    assert {"README.md", "issue.md", "site/index.html", "feeds/all.xml", "dailypapers.db"} <= names
    assert any(name.startswith("outbox/") for name in names) and any(name.startswith("recording/") for name in names)
    for path in written:
        assert leaks(path.read_bytes(), secrets) == [], path.relative_to(tmp_path)


# --- (c) a run talks to the configured servers only -----------------------------------------------------

ANNOUNCED = date(2026, 11, 24)  # a Tuesday
MORNING = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # 07:00 in New York, after the feed was rebuilt
TOPICS = ("compiler", "performance")


def announced_papers() -> list[Paper]:
    """Two papers on compilers and one on nothing, submitted the day before they are announced."""
    base = load_seed_papers()[0]
    submitted = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    titles = ("A compiler for tensors", "Compilers for GPUs", "Gossip in dynamic graphs")
    return [
        replace(
            base,
            id=f"2611.24{n:03d}",
            version=1,
            title=title,
            abstract=f"{title}.",
            published=submitted + timedelta(minutes=n),
            updated=submitted + timedelta(minutes=n),
        )
        for n, title in enumerate(titles)
    ]


def isolated_config(folder: Path, server: ArxivServer, smtp_port: int, hook_env: str) -> Path:
    topics = "".join(f'[[topics]]\nname = "{name}"\n' for name in TOPICS)
    path = folder / "dailypapers.toml"
    path.write_text(
        f"""contact = "researcher@example.org"
[scope]
categories = ["cs.DC"]
[outputs]
site = "site/"
feeds = "feeds/"
[arxiv]
api_url = "{server.url}"
rss_url = "{server.base}"
oai_url = "{server.base}/oai"
delay = 0
max_attempts = 1
[email]
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
security = "none"
sender = "{SENDER}"
[[email.recipients]]
address = "{READER}"
[[webhooks]]
url_env = "{hook_env}"
max_attempts = 1
{topics}""",
        encoding="utf-8",
    )
    return path


def requests_of(server: ArxivServer) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, parameters) of each request, an ``id_list`` as its sorted ids."""
    described = []
    for request in server.requests:
        params = dict(request.params)
        if "id_list" in params:
            params["id_list"] = ",".join(sorted(params["id_list"].split(",")))
        described.append((request.method, request.path, params))
    return described


def socket_events(audit: Path) -> tuple[set[tuple[str, int]], set[str], list[str]]:
    """The addresses connected to, the names resolved, and every other network event of the audit log."""
    connected: set[tuple[str, int]] = set()
    resolved: set[str] = set()
    other: list[str] = []
    for line in audit.read_text(encoding="utf-8").splitlines():
        event, detail = json.loads(line)
        if event == "connect":
            connected.add((str(detail[0]), int(detail[1])))
        elif event == "resolve":
            resolved.add(detail)
        else:
            other.append(line)
    return connected, resolved, other


def test_the_trap_sees_a_request_that_is_not_for_loopback(trap: Trap) -> None:
    """The check below is able to fail: under the same settings, a request for arXiv itself reaches the trap."""
    code = (
        "import httpx\n"
        "for url in ('http://export.arxiv.org/api/query', 'https://oaipmh.arxiv.org/oai'):\n"
        "    try:\n"
        "        httpx.get(url, timeout=5)\n"
        "    except httpx.HTTPError:\n"
        "        pass\n"
    )
    environment = base_environment(trapped(trap))
    subprocess.run([sys.executable, "-c", code], env=environment, timeout=60, check=True, capture_output=True)
    assert trap.hits == ["GET http://export.arxiv.org/api/query HTTP/1.1", "CONNECT oaipmh.arxiv.org:443 HTTP/1.1"]


def test_a_run_and_a_backfill_talk_only_to_the_configured_servers(
    tmp_path: Path, mailbox: tuple[RecordingMailbox, int], hooks: Hooks, trap: Trap
) -> None:
    """A daily run that covers an announcement (the feed, a search per new topic, the announced papers by id,
    an email, a webhook) and a back-fill over OAI-PMH: each server sees exactly the requests the config calls
    for, the proxy trap sees nothing, and the process connects to those three ports on loopback only."""
    box, smtp_port = mailbox
    papers = announced_papers()
    with ArxivServer([*load_seed_papers(), *papers], now=lambda: MORNING) as server:
        arxiv_port = server.port
        feeds = mount_feeds(server)
        feeds.announce(ANNOUNCED, [(paper, "new") for paper in papers])
        mount_oai(server, page_size=2)
        config = isolated_config(tmp_path, server, smtp_port, "DP_HOOK")
        hook_path = "/hooks/T000/B000/s3cr3t"
        environment = base_environment(
            {"DAILYPAPERS_NOW": MORNING.isoformat(), "DP_HOOK": hooks.base + hook_path} | trapped(trap)
        )
        audit = tmp_path / "sockets.log"
        daily = dailypapers("run", "--config", str(config), env=environment, audit=audit)
        assert daily.returncode == 0, daily.stderr
        daily_requests = requests_of(server)
        server.requests.clear()
        backfill = dailypapers(
            "backfill", "--config", str(config), "--from", "2026-11-20", "--until", "2026-11-24",
            "--category", "cs.DC", env=environment, audit=audit,
        )  # fmt: skip
        assert backfill.returncode == 0, backfill.stderr
        backfill_requests = requests_of(server)
        assert server.errors == []

    search = {"start": "0", "max_results": "2000", "sortBy": "lastUpdatedDate", "sortOrder": "descending"}
    ids = ",".join(sorted(paper.versioned_id for paper in papers))
    expected: list[tuple[str, str, dict[str, str]]] = [("GET", "/rss/cs.DC", {})]
    expected += [
        ("GET", "/api/query", {"search_query": f"(cat:cs.DC) AND ({to_api_query(topic_query(name, None))})", **search})
        for name in TOPICS
    ]
    expected += [("GET", "/api/query", {"id_list": ids, "start": "0", "max_results": str(len(papers))})]
    assert daily_requests == expected

    first, *resumed = backfill_requests
    listing = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "from": "2026-11-20", "until": "2026-11-24"}
    assert first == ("GET", "/oai", {**listing, "set": "cs:cs:DC"})
    assert resumed, "two records a page: the harvest needs more than one request"
    for method, path, params in resumed:
        assert (method, path, sorted(params)) == ("GET", "/oai", ["resumptionToken", "verb"])
        assert params["verb"] == "ListRecords"

    assert box.commands == [("EHLO", ""), ("MAIL", "papers@example.org"), ("RCPT", READER), ("DATA", ""), ("QUIT", "")]
    assert hooks.requests == [("POST", hook_path)]
    assert trap.hits == []

    connected, resolved, other = socket_events(audit)
    allowed = {("127.0.0.1", arxiv_port), ("127.0.0.1", smtp_port), ("127.0.0.1", int(hooks.base.rsplit(":", 1)[1]))}
    assert connected == allowed
    assert resolved <= {"127.0.0.1"}
    # smtplib names the client in EHLO after this machine's own name (socket.getfqdn(), then its address).
    own_name = repr((socket.gethostname(),))
    assert set(other) <= {json.dumps([f"socket.{lookup}", own_name]) for lookup in ("gethostbyaddr", "gethostbyname")}
