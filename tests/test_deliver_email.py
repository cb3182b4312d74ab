"""Email: the body (render/email.py), the MIME message and the SMTP session (deliver/email.py).

Delivery runs against a real SMTP server on loopback (aiosmtpd), with real TLS from a throw-away certificate
authority (trustme); nothing in smtplib is patched. The golden files hold the text and HTML parts of a message
built from real cs.DC papers; set ``DAILYPAPERS_REGEN_GOLDEN=1`` to rewrite them, then review the diff.
"""

from __future__ import annotations

import email.policy
import logging
import socket
import ssl
import traceback
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from arxiv_server import load_seed_papers
from dailypapers.config import EmailSettings
from dailypapers.deliver.email import SmtpSession, build_message
from dailypapers.errors import DeliveryError
from dailypapers.model import Author, EmailBody, Listed, Message, Paper, Section
from dailypapers.render.email import render_email
from goldens import check_golden
from loopback import free_port, smtp_server

HERE = Path(__file__).parent
DAY = date(2026, 3, 19)
SENT = datetime(2026, 3, 19, 7, 30, tzinfo=UTC)
SENDER = "Daily Papers <papers@example.org>"
READER = "reader@example.org"
USER = "papers-bot"
PASSWORD = "correct-horse-battery-staple"
HOSTILE = "<script>alert(1)</script><img src=x onerror=\"alert(2)\"> <a href='javascript:alert(3)'>click</a> & co"


# --- messages ---


def latest_papers() -> list[Paper]:
    """The seed papers, one per id (the newest version), in the seed's order."""
    newest: dict[str, Paper] = {}
    for paper in load_seed_papers():
        if paper.id not in newest or paper.version > newest[paper.id].version:
            newest[paper.id] = paper
    return list(newest.values())


def keyword_section(papers: list[Paper], topic: str, words: tuple[str, ...], new_version: set[str]) -> Section:
    """The papers whose title or abstract has one of ``words``, with the reason a query would give."""
    listed = []
    for paper in papers:
        for word in words:
            field_name = "ti" if word in paper.title.lower() else "abs" if word in paper.abstract.lower() else None
            if field_name:
                listed.append(Listed(paper, paper.id in new_version, f'{field_name}:"{word}"'))
                break
    query = " OR ".join(f'ti:"{word}" OR abs:"{word}"' for word in words)
    return Section(topic, tuple(listed), query=query)


def seed_message() -> Message:
    """Five topics over 80 real papers: cuts at 3 per topic, one paper on two topics, one new version."""
    papers = latest_papers()
    topics = (
        ("compiler", ("compiler",)),
        ("federated learning", ("federated",)),
        ("consensus", ("consensus", "byzantine")),
        ("surveys", ("a survey",)),
        ("linear solvers", ("linear solve",)),
    )
    sections = tuple(keyword_section(papers, topic, words, {"2601.08082"}) for topic, words in topics)
    return Message(
        title="Daily Papers",
        day=DAY,
        sections=sections,
        limit=3,
        note="arXiv announced 80 new papers in cs.DC on Thursday, March 19.",
        link="https://example.org/daily-papers/",
    )


def make_paper(**changes: Any) -> Paper:
    paper = Paper(
        id="2601.00001",
        version=1,
        title="A Paper",
        abstract="An abstract.",
        authors=(Author("Ada Lovelace"),),
        categories=("cs.PL",),
        primary_category="cs.PL",
        published=datetime(2026, 1, 10, 12, tzinfo=UTC),
        updated=datetime(2026, 1, 10, 12, tzinfo=UTC),
    )
    return replace(paper, **changes)


def one_topic(topic: str, *papers: Paper, **changes: Any) -> Message:
    message = Message("Daily Papers", DAY, (Section(topic, tuple(Listed(paper) for paper in papers)),))
    return replace(message, **changes)


# --- HTML inspection ---


class Html(HTMLParser):
    """Every tag, attribute and text run of an HTML document, as a browser's parser sees them."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.texts: list[str] = []
        self.feed(document)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def hrefs(self) -> list[str]:
        return [value for _, name, value in self.attributes if name == "href"]


SAFE_TAGS = {"html", "head", "meta", "title", "body", "div", "h1", "h2", "p", "a", "span", "code"}
SAFE_ATTRIBUTES = {"lang", "charset", "name", "content", "style", "href"}
LINK_PREFIXES = ("https://arxiv.org/abs/", "https://arxiv.org/pdf/", "https://doi.org/")


def assert_inert(document: str, page: str | None = None) -> Html:
    """Only harmless tags and attributes, inline styles without resources, links only to arXiv, DOI or ``page``."""
    html = Html(document)
    assert set(html.tags) <= SAFE_TAGS
    assert {name for _, name, _ in html.attributes} <= SAFE_ATTRIBUTES
    for href in html.hrefs():
        assert href.startswith(LINK_PREFIXES) or href == page, href
    styles = [value for _, name, value in html.attributes if name == "style"]
    assert not any("url(" in style or "expression" in style for style in styles)
    return html


# --- the body ---


def test_golden_text() -> None:
    check_golden("email_seed.txt", render_email(seed_message()).text)


def test_golden_html() -> None:
    check_golden("email_seed.html", render_email(seed_message()).html)


def test_seed_subject_counts_a_paper_on_two_topics_once() -> None:
    message = seed_message()
    sizes = {section.topic: len(section.papers) for section in message.sections}
    assert sizes == {"compiler": 6, "federated learning": 9, "consensus": 4, "surveys": 2, "linear solvers": 1}
    assert message.count == 21  # "A Survey on Decentralized Federated Learning" is in two topics
    assert render_email(message).subject == (
        "Daily Papers: 21 new papers on compiler (6), federated learning (9), consensus (4), surveys (2), "
        "linear solvers (1)"
    )


def test_seed_html_is_inert_and_cuts_each_topic() -> None:
    message = seed_message()
    body = render_email(message)
    html = assert_inert(body.html, message.link)
    assert html.hrefs().count("https://example.org/daily-papers/") == 3  # compiler, federated learning, consensus
    assert "… and 6 more on this topic" in html.text
    assert "… and 3 more on this topic: https://example.org/daily-papers/" in body.text
    assert "new version v2" in html.text and "New version: v2" in body.text
    assert html.text.count("new version") == 1


@pytest.mark.parametrize(
    ("sizes", "subject"),
    [
        ({"compiler": 1}, "Daily Papers: 1 new paper on compiler (1)"),
        ({"compiler": 2, "performance": 1}, "Daily Papers: 3 new papers on compiler (2), performance (1)"),
        ({"compiler": 0, "performance": 1}, "Daily Papers: 1 new paper on performance (1)"),
        ({"compiler": 0}, "Daily Papers: no new papers"),
        (
            {f"t{n}": 1 for n in range(7)},
            "Daily Papers: 7 new papers on t0 (1), t1 (1), t2 (1), t3 (1), t4 (1) and 2 other topics",
        ),
    ],
)
def test_subject(sizes: dict[str, int], subject: str) -> None:
    counter = iter(range(1, 100))
    sections = tuple(
        Section(topic, tuple(Listed(make_paper(id=f"2601.{next(counter):05d}")) for _ in range(size)))
        for topic, size in sizes.items()
    )
    assert render_email(Message("Daily Papers", DAY, sections)).subject == subject


def test_nothing_new_says_so() -> None:
    body = render_email(Message("Daily Papers", DAY, ()))
    assert "March 19, 2026: No new papers on your topics." in body.text
    assert "No new papers on your topics." in Html(body.html).text


def test_and_more_without_a_page_has_no_link() -> None:
    papers = [make_paper(id=f"2601.0000{n}") for n in range(1, 5)]
    body = render_email(one_topic("compiler", *papers, limit=2))
    assert "… and 2 more on this topic.\n" in body.text
    html = assert_inert(body.html)
    assert "… and 2 more on this topic" in html.text
    assert all(href.startswith(LINK_PREFIXES) for href in html.hrefs())


def test_long_abstract_is_cut_at_a_word_in_text_only() -> None:
    abstract = " ".join(f"word{n}" for n in range(400))
    body = render_email(one_topic("compiler", make_paper(abstract=abstract)))
    assert "word99 word100" not in body.text.replace("\n  ", " ")
    assert " …\n" in body.text
    assert abstract in Html(body.html).text
    assert max(len(line) for line in body.text.splitlines()) <= 76


def test_a_limit_below_one_is_an_error() -> None:
    with pytest.raises(ValueError, match="limit"):
        render_email(one_topic("compiler", make_paper(), limit=0))


# --- escaping ---


def hostile_message() -> Message:
    paper = make_paper(
        title=HOSTILE,
        abstract=f"Abstract {HOSTILE}",
        authors=(Author(HOSTILE), Author("Erdős <b>Pál</b>")),
        categories=("cs.PL", "<i>cs.XX</i>"),
        comment=f"javascript:alert(4) {HOSTILE}",
        doi='10.1000/x"onmouseover="alert(5)',
    )
    unlinked = make_paper(id="javascript:alert(6)", title="no id", doi="javascript:alert(7)")
    listed = (Listed(paper, reason=HOSTILE), Listed(unlinked), Listed(make_paper(id="2601.00009")))
    section = Section(f"topic {HOSTILE}", listed, query=HOSTILE)
    return Message(HOSTILE, DAY, (section,), limit=2, note=HOSTILE, link="javascript:alert(8)")


def test_paper_text_is_inert_in_html() -> None:
    body = render_email(hostile_message())
    html = assert_inert(body.html)
    assert "<script>" not in body.html and 'onerror="' not in body.html
    assert html.text.count(HOSTILE) >= 7  # title, author, abstract, comment, topic, query, reason, note ...
    assert "Erdős <b>Pál</b>" in html.text


def test_links_are_built_from_ids_never_from_text() -> None:
    html = Html(render_email(hostile_message()).html)
    assert html.hrefs() == [
        "https://arxiv.org/abs/2601.00001v1",
        "https://arxiv.org/pdf/2601.00001v1",
        "https://doi.org/10.1000/x%22onmouseover%3D%22alert(5)",
    ]


def test_text_part_shows_hostile_text_as_plain_one_line_text() -> None:
    message = hostile_message()
    evil = replace(message.sections[0], topic="compiler\r\nBcc: victim@example.org\u2028X: y")
    body = render_email(replace(message, sections=(evil,)))
    assert "compiler Bcc: victim@example.org X: y (3)" in body.text
    assert HOSTILE in " ".join(body.text.split())
    assert "\r" not in body.subject and "\n" not in body.subject and "\u2028" not in body.subject


# --- the MIME message ---


def unix(text: str) -> str:
    """A part as rendered: the wire's CRLF line ends (RFC 5322 §2.3) back to newlines."""
    return text.replace("\r\n", "\n")


def parse(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def test_build_message_headers_and_parts() -> None:
    body = render_email(seed_message())
    raw = build_message(body, SENDER, READER, "<20260319.reader@example.org>", SENT).as_bytes()
    parsed = parse(raw)
    assert parsed["From"] == SENDER
    assert parsed["To"] == READER
    assert parsed["Subject"] == body.subject
    assert parsed["Date"] == "Thu, 19 Mar 2026 07:30:00 +0000"
    assert parsed["Message-ID"] == "<20260319.reader@example.org>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "multipart/alternative"
    parts = list(parsed.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert [part.get_content_charset() for part in parts] == ["utf-8", "utf-8"]
    assert [unix(part.get_content()) for part in parts] == [body.text, body.html]
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998  # RFC 5322 §2.1.1


def test_build_message_adds_angle_brackets_and_takes_naive_dates_as_utc() -> None:
    built = build_message(render_email(seed_message()), SENDER, READER, "run-7@example.org", datetime(2026, 3, 19))
    assert built["Message-ID"] == "<run-7@example.org>"
    assert built["Date"] == "Thu, 19 Mar 2026 00:00:00 +0000"


def test_non_ascii_is_encoded() -> None:
    paper = make_paper(title="Über Gödel’s $\\aleph_0$ théorème", authors=(Author("Jérémie Decouchant"),))
    message = one_topic("Gödel & Théorie", paper, title="Tägliche Papiere")
    body = render_email(message)
    raw = build_message(body, "Tägliche Papiere <papers@example.org>", READER, "<a@b>", SENT).as_bytes()
    assert raw.isascii()
    assert b"=?utf-8?" in raw
    parsed = parse(raw)
    assert parsed["Subject"] == "Tägliche Papiere: 1 new paper on Gödel & Théorie (1)"
    assert parsed["From"].addresses[0].display_name == "Tägliche Papiere"
    text, html = (part.get_content() for part in parsed.iter_parts())
    assert "Über Gödel’s $\\aleph_0$ théorème" in text and "Jérémie Decouchant" in text
    assert "Über Gödel’s $\\aleph_0$ théorème" in Html(html).text


def test_a_topic_cannot_inject_headers() -> None:
    paper = make_paper()
    message = one_topic("compiler\r\nBcc: victim@example.org\r\n\r\n<b>body</b>", paper)
    raw = build_message(render_email(message), SENDER, READER, "<a@b>", SENT).as_bytes()
    parsed = parse(raw)
    assert parsed["Bcc"] is None
    # The subject is folded onto a continuation line (CPython's folder), so it unfolds with a leading space.
    assert parsed["Subject"].strip() == "Daily Papers: 1 new paper on compiler Bcc: victim@example.org <b>body</b> (1)"
    assert set(parsed.keys()) == {
        "From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "Content-Type", "MIME-Version",
    }  # fmt: skip


def test_a_subject_with_line_breaks_stays_one_header() -> None:
    body = EmailBody(subject="Hello\r\nBcc: victim@example.org\nX-Evil: 1", text="text", html="<p>html</p>")
    parsed = parse(build_message(body, SENDER, READER, "<a@b>", SENT).as_bytes())
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert parsed["Subject"] == "Hello Bcc: victim@example.org X-Evil: 1"


@pytest.mark.parametrize("where", ["sender", "recipient", "message_id"])
def test_addresses_with_line_breaks_are_refused(where: str) -> None:
    values = {"sender": SENDER, "recipient": READER, "message_id": "<a@b>"}
    values[where] += "\r\nBcc: victim@example.org"
    with pytest.raises(DeliveryError, match="line break"):
        build_message(render_email(seed_message()), date=SENT, **values)


# --- a real SMTP server ---


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool
    authenticated: bool


@dataclass
class Handler:
    """An aiosmtpd handler that keeps what it accepts, refusing the recipients or the data it is told to."""

    refuse: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
    received: list[Received] = field(default_factory=list)
    peers: list[Any] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.peers.append(session.peer)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply:
            return self.data_reply
        content = envelope.original_content or b""
        transport = server.transport
        self.received.append(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=list(envelope.rcpt_tos),
                message=parse(content),
                tls=transport is not None and transport.get_extra_info("cipher") is not None,
                authenticated=session.authenticated is True,
            )
        )
        return "250 Message accepted for delivery"


def check_login(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    good = isinstance(data, LoginPassword) and data.login == USER.encode() and data.password == PASSWORD.encode()
    return AuthResult(success=good, handled=False)


@dataclass(frozen=True)
class Tls:
    ca_file: Path
    server: ssl.SSLContext
    localhost_only: ssl.SSLContext


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A throw-away certificate authority, a certificate for 127.0.0.1 and one for ``localhost`` only."""
    ca = trustme.CA()
    ca_file = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    contexts = []
    for names in (("127.0.0.1", "localhost"), ("localhost",)):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*names).configure_cert(context)
        contexts.append(context)
    return Tls(ca_file, contexts[0], contexts[1])


def settings(port: int, **changes: Any) -> EmailSettings:
    base = EmailSettings(
        smtp_host="127.0.0.1", smtp_port=port, security="none", sender=SENDER, recipients=(), timeout=5.0
    )
    return replace(base, **changes)


def mail(recipient: str = READER) -> EmailMessage:
    return build_message(render_email(seed_message()), SENDER, recipient, f"<run-1.{recipient}>", SENT)


def send_one(config: EmailSettings, environ: dict[str, str] | None = None, recipient: str = READER) -> None:
    with SmtpSession(config, environ or {}) as session:
        session.send(mail(recipient), recipient)


# --- delivery ---


def test_plain_delivery_arrives_whole() -> None:
    handler = Handler()
    with smtp_server(handler) as port:
        send_one(settings(port))
    [received] = handler.received
    assert received.mail_from == "papers@example.org"
    assert received.rcpt_tos == [READER]
    assert not received.tls
    parsed = received.message
    body = render_email(seed_message())
    assert parsed["Subject"] == body.subject and parsed["To"] == READER
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "multipart/alternative"
    assert [unix(part.get_content()) for part in parsed.iter_parts()] == [body.text, body.html]


def test_one_session_serves_every_recipient() -> None:
    handler = Handler()
    with smtp_server(handler) as port, SmtpSession(settings(port), {}) as session:
        for recipient in ("a@example.org", "b@example.org", "c@example.org"):
            session.send(mail(recipient), recipient)
    assert [received.rcpt_tos for received in handler.received] == [
        ["a@example.org"],
        ["b@example.org"],
        ["c@example.org"],
    ]
    assert len(set(handler.peers)) == 1


def test_starttls_delivery(tls: Tls) -> None:
    handler = Handler()
    with smtp_server(handler, tls_context=tls.server, require_starttls=True) as port:
        send_one(settings(port, security="starttls", ca_file=tls.ca_file))
    [received] = handler.received
    assert received.tls


def test_starttls_refuses_a_server_without_it() -> None:
    handler = Handler()
    with smtp_server(handler) as port, pytest.raises(DeliveryError, match="does not offer STARTTLS") as caught:
        send_one(settings(port, security="starttls"))
    assert caught.value.channel == "email" and caught.value.recipient == READER
    assert handler.received == [] and handler.peers == []


@pytest.mark.parametrize(
    ("server", "ca", "expected"),
    [
        ("server", False, "TLS certificate of 127.0.0.1 not accepted: unable to get local issuer certificate"),
        ("localhost_only", True, "TLS certificate of 127.0.0.1 not accepted: IP address mismatch"),
    ],
)
def test_untrusted_certificates_are_refused(tls: Tls, server: str, ca: bool, expected: str) -> None:
    handler = Handler()
    config = settings(0, security="starttls", ca_file=tls.ca_file if ca else None)
    with smtp_server(handler, tls_context=getattr(tls, server)) as port, pytest.raises(DeliveryError) as caught:
        send_one(replace(config, smtp_port=port))
    assert expected in str(caught.value)
    assert handler.received == []


def test_implicit_tls_delivery(tls: Tls) -> None:
    handler = Handler()
    with smtp_server(handler, ssl_context=tls.server) as port:
        send_one(settings(port, security="ssl", ca_file=tls.ca_file))
    [received] = handler.received
    assert received.tls


# --- logging in ---


def auth_settings(port: int, tls: Tls) -> EmailSettings:
    return settings(
        port,
        security="starttls",
        ca_file=tls.ca_file,
        username_env="DAILYPAPERS_SMTP_USER",
        password_env="DAILYPAPERS_SMTP_PASSWORD",
    )


def test_login_with_credentials_from_the_environment(tls: Tls) -> None:
    handler = Handler()
    environ = {"DAILYPAPERS_SMTP_USER": USER, "DAILYPAPERS_SMTP_PASSWORD": PASSWORD}
    options = {"tls_context": tls.server, "authenticator": check_login, "auth_require_tls": True}
    with smtp_server(handler, auth_required=True, **options) as port:
        send_one(auth_settings(port, tls), environ)
    [received] = handler.received
    assert received.tls and received.authenticated


def test_a_wrong_password_never_shows(tls: Tls, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    handler = Handler()
    environ = {"DAILYPAPERS_SMTP_USER": USER, "DAILYPAPERS_SMTP_PASSWORD": "wrong-" + PASSWORD}
    options = {"tls_context": tls.server, "authenticator": check_login, "auth_require_tls": True}
    with (
        smtp_server(handler, auth_required=True, **options) as port,
        SmtpSession(auth_settings(port, tls), environ) as session,
    ):
        errors = []
        for _ in range(2):
            with pytest.raises(DeliveryError) as caught:
                session.send(mail(), READER)
            errors.append(caught.value)
    assert "login with DAILYPAPERS_SMTP_USER/DAILYPAPERS_SMTP_PASSWORD: login refused: 535" in str(errors[0])
    assert str(errors[0]) == str(errors[1])  # a failed login is not tried again for every recipient
    for error in errors:
        shown = str(error) + repr(error) + "".join(traceback.format_exception(error))
        assert PASSWORD not in shown
    ours = [record.getMessage() for record in caplog.records if record.name.startswith("dailypapers")]
    assert not any(PASSWORD in line for line in ours)
    assert handler.received == []


def test_a_password_the_server_echoes_is_hidden(tls: Tls) -> None:
    handler = Handler(refuse={READER: f"550 5.7.1 not with password {PASSWORD}"})
    environ = {"DAILYPAPERS_SMTP_USER": USER, "DAILYPAPERS_SMTP_PASSWORD": PASSWORD}
    options = {"tls_context": tls.server, "authenticator": check_login}
    with smtp_server(handler, **options) as port, pytest.raises(DeliveryError) as caught:
        send_one(auth_settings(port, tls), environ)
    assert str(caught.value) == f"email to {READER}: recipient refused: 550 5.7.1 not with password ***"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, "DAILYPAPERS_SMTP_PASSWORD"),
        ({"DAILYPAPERS_SMTP_PASSWORD": PASSWORD}, "DAILYPAPERS_SMTP_USER"),
        ({"DAILYPAPERS_SMTP_USER": USER, "DAILYPAPERS_SMTP_PASSWORD": ""}, "DAILYPAPERS_SMTP_PASSWORD"),
    ],
)
def test_a_missing_credential_names_its_variable(tls: Tls, environ: dict[str, str], named: str) -> None:
    with pytest.raises(DeliveryError, match=f"environment variable {named} ") as caught:
        send_one(auth_settings(free_port(), tls), environ)
    assert PASSWORD not in str(caught.value)


def test_no_password_in_clear_text_to_another_machine(tls: Tls) -> None:
    config = replace(auth_settings(25, tls), smtp_host="192.0.2.1", security="none")  # TEST-NET-1: never reached
    environ = {"DAILYPAPERS_SMTP_USER": USER, "DAILYPAPERS_SMTP_PASSWORD": PASSWORD}
    with pytest.raises(DeliveryError, match="not sending the password in clear text to 192.0.2.1"):
        send_one(config, environ)


# --- refusals and failures ---


def test_a_refused_recipient_does_not_stop_the_others() -> None:
    handler = Handler(refuse={"nobody@example.org": "550 5.1.1 <nobody@example.org>: no such user"})
    with smtp_server(handler) as port, SmtpSession(settings(port), {}) as session:
        with pytest.raises(DeliveryError) as caught:
            session.send(mail("nobody@example.org"), "nobody@example.org")
        session.send(mail(), READER)
    assert caught.value.recipient == "nobody@example.org"
    assert str(caught.value) == (
        "email to nobody@example.org: recipient refused: 550 5.1.1 <nobody@example.org>: no such user"
    )
    assert [received.rcpt_tos for received in handler.received] == [[READER]]
    assert len(set(handler.peers)) == 1  # the same connection


def test_a_temporary_failure_says_its_code() -> None:
    handler = Handler(data_reply="451 4.7.1 Greylisted, please try again later")
    with smtp_server(handler) as port, pytest.raises(DeliveryError) as caught:
        send_one(settings(port))
    assert str(caught.value) == (
        f"email to {READER}: message refused: 451 4.7.1 Greylisted, please try again later (temporary; try again later)"
    )


def test_a_refused_connection_fails_every_send() -> None:
    with SmtpSession(settings(free_port()), {}) as session:
        for recipient in ("a@example.org", "b@example.org"):
            with pytest.raises(DeliveryError, match="connection to 127.0.0.1:[0-9]+ refused") as caught:
                session.send(mail(recipient), recipient)
            assert caught.value.recipient == recipient


def test_a_silent_server_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        config = settings(listener.getsockname()[1], timeout=0.2)
        with pytest.raises(DeliveryError, match=r"no answer from 127\.0\.0\.1:[0-9]+ within 0\.2 s"):
            send_one(config)


def test_an_unknown_security_is_an_error() -> None:
    with pytest.raises(DeliveryError, match="unknown security 'tls'"):
        send_one(settings(free_port(), security="tls"))
