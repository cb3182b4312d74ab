"""Sending a rendered message by SMTP: the MIME message, and one connection for all recipients of a run.

The message is RFC 5322 with MIME (RFC 2045-2049): multipart/alternative with the plain text part first and
the HTML part last, since RFC 2046 §5.1.4 orders alternatives from plainest to richest. Headers are generated
by ``email.policy.SMTP``, which encodes non-ASCII text as RFC 2047 encoded words and refuses a line break in a
header value; values are made one line first, so a topic name in the subject cannot add a header.
``Auto-Submitted: auto-generated`` (RFC 3834 §5) tells vacation responders and other robots not to answer.

Transport security, from ``[email] security``:

- ``"ssl"``: implicit TLS from the first byte (RFC 8314 §3, usually port 465);
- ``"starttls"``: a plain connection upgraded with STARTTLS (RFC 3207, usually port 587). A server that does
  not offer STARTTLS is an error, never a reason to go on in clear text: an attacker on the path can strip
  the offer (RFC 3207 §6);
- ``"none"``: clear text, for a relay on the same machine or network.

Certificates are checked against the system's authorities plus ``ca_file``, with host name checking
(RFC 6125). ``timeout`` bounds each exchange as a whole (connecting and logging in, each message, the
goodbye), not only each read: a server that trickles its replies a byte at a time cannot hold the run.
Credentials come from the environment variables the config names; the password is never part of
an error message or a log line, and is not sent in clear text to another machine.
"""

from __future__ import annotations

import email.policy
import ipaddress
import logging
import re
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from types import TracebackType

from dailypapers.config.delivery import EmailSettings
from dailypapers.deliver.deadline import Watchdog, WatchedSmtp, WatchedSmtpSsl
from dailypapers.errors import DeliveryError
from dailypapers.model import EmailBody
from dailypapers.redact import Redactor, login_forms, public_addresses

CHANNEL = "email"
SECURITY = ("starttls", "ssl", "none")
_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
_LINE_BREAK = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
log = logging.getLogger(__name__)


class _Failure(Exception):
    """Why the session cannot send, in words for a user; turned into a DeliveryError per recipient."""


def _one_line(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


# --- the message ---


def build_message(body: EmailBody, sender: str, recipient: str, message_id: str, date: datetime) -> EmailMessage:
    """The email for one recipient: headers, then the text and HTML parts as multipart/alternative.

    ``message_id`` is the caller's deterministic id (``<run.topic.hash@host>``; angle brackets are added when
    missing), so that a message sent twice is recognisably the same message. A naive ``date`` is taken as UTC.
    Both parts are quoted-printable (RFC 2045 §6.7): the message stays 7-bit clean, as a server that does not
    announce 8BITMIME (RFC 6152) must be sent, and long HTML lines get soft breaks under 998 characters.
    """
    for name, value in (("sender", sender), ("recipient", recipient), ("message id", message_id)):
        if _LINE_BREAK.search(value):
            raise DeliveryError(CHANNEL, _one_line(recipient), f"the {name} contains a line break")
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = _one_line(body.subject)
    message["Date"] = format_datetime(date if date.tzinfo else date.replace(tzinfo=UTC))
    message["Message-ID"] = message_id if message_id.startswith("<") else f"<{message_id}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(body.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


# --- why a send failed ---


def _text(reply: bytes | str) -> str:
    return _one_line(reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply)


def _reply(code: int, reply: bytes | str) -> str:
    """``550 5.1.1 no such user``, saying so when the code is temporary (RFC 5321 §4.2.1: 4yz)."""
    shown = f"{code} {_text(reply)}".strip()
    return f"{shown} (temporary; try again later)" if 400 <= code < 500 else shown


def _smtp_reason(err: smtplib.SMTPException) -> str:
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(err.recipients.values()), (0, b""))
        return f"recipient refused: {_reply(code, reply)}"
    if isinstance(err, smtplib.SMTPResponseException):
        what = {
            smtplib.SMTPSenderRefused: "sender refused",
            smtplib.SMTPDataError: "message refused",
            smtplib.SMTPConnectError: "greeting refused",
            smtplib.SMTPHeloError: "EHLO refused",
            smtplib.SMTPAuthenticationError: "login refused",
        }.get(type(err), "the server answered")
        return f"{what}: {_reply(err.smtp_code, err.smtp_error)}"
    if isinstance(err, smtplib.SMTPServerDisconnected):
        return f"the server closed the connection ({_text(str(err))})"
    return _text(str(err))


def reason(err: OSError, host: str, port: int, timeout: float) -> str:
    """One line saying why talking to ``host:port`` failed, with the SMTP reply code when there is one."""
    if isinstance(err, smtplib.SMTPServerDisconnected) and isinstance(err.__context__, TimeoutError):
        err = err.__context__  # smtplib reports a read timeout as a disconnection
    if isinstance(err, smtplib.SMTPException):
        return _smtp_reason(err)
    if isinstance(err, ssl.SSLCertVerificationError):
        return f"TLS certificate of {host} not accepted: {_text(err.verify_message or str(err))}"
    if isinstance(err, ssl.SSLError):
        return f"TLS with {host}:{port} failed: {_text(err.reason or str(err))}"
    if isinstance(err, TimeoutError):
        return f"no answer from {host}:{port} within {timeout:g} s"
    if isinstance(err, ConnectionRefusedError):
        return f"connection to {host}:{port} refused"
    return f"cannot talk to {host}:{port}: {_text(err.strerror or str(err))}"


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --- the session ---


class SmtpSession:
    """One SMTP connection for all recipients of a run, opened at the first :meth:`send`.

    If the connection cannot be opened (refused, timed out, TLS or login failed, a credential missing), every
    :meth:`send` of the session raises a :class:`DeliveryError` with that reason, without trying again. A
    refused recipient or message leaves the connection usable for the next recipient; a dropped connection is
    opened again by the next send.
    """

    def __init__(self, settings: EmailSettings, environ: Mapping[str, str]) -> None:
        self.settings = settings
        self._environ = environ
        self._smtp: smtplib.SMTP | None = None
        self._failure: str | None = None
        self._redact = Redactor()
        self._watchdog = Watchdog(settings.timeout)

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Say QUIT and close; a connection that is already broken is just closed."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                with self._watchdog.exchange():
                    smtp.quit()
            except OSError:  # smtplib.SMTPException is an OSError
                smtp.close()
        self._watchdog.close()

    def send(self, message: EmailMessage, recipient: str) -> None:
        """Send ``message`` to ``recipient`` (the envelope's only RCPT TO) or raise DeliveryError saying why."""
        smtp = self._connection(recipient)
        try:
            with self._watchdog.exchange():
                refused = smtp.send_message(message, from_addr=self.settings.sender, to_addrs=[recipient])
            self._in_time()
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException, smtplib.SMTPNotSupportedError) as err:
            if smtp.sock is None:  # a 421 reply: smtplib closed the connection
                self._smtp = None
            raise self._error(recipient, err) from None
        except OSError as err:
            self._drop()
            raise self._error(recipient, err) from None
        if refused:
            raise self._error(recipient, smtplib.SMTPRecipientsRefused(refused))
        log.info("sent %s to %s", message.get("Message-ID", "a message"), recipient)

    def _in_time(self, smtp: smtplib.SMTP | None = None) -> None:
        """A reply cut at the deadline can still read as complete to smtplib: it is not a confirmation."""
        if self._watchdog.fired:
            if smtp is not None:
                smtp.close()
            raise smtplib.SMTPServerDisconnected("no complete answer in time")

    # --- connecting ---

    def _connection(self, recipient: str) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        if self._failure is None:
            try:
                with self._watchdog.exchange():
                    smtp = self._open()
                self._in_time(smtp)
            except _Failure as err:
                self._failure = self._scrub(str(err))
            except OSError as err:
                self._failure = self._scrub(self._reason(err))
            else:
                self._smtp = smtp
                return smtp
        raise DeliveryError(CHANNEL, recipient, self._failure)

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        if settings.security not in SECURITY:
            raise _Failure(f"unknown security {settings.security!r}; use one of {', '.join(SECURITY)}")
        credentials = self._credentials()
        if credentials and settings.security == "none" and not _is_loopback(settings.smtp_host):
            raise _Failure(
                f'not sending the password in clear text to {settings.smtp_host}; set security = "starttls" or "ssl"'
            )
        smtp = self._connect()
        try:
            smtp.ehlo_or_helo_if_needed()
            if settings.security == "starttls":
                self._starttls(smtp)
            if credentials:
                self._login(smtp, *credentials)
        except (OSError, _Failure):
            smtp.close()
            raise
        log.debug("connected to %s:%d (%s)", settings.smtp_host, settings.smtp_port, settings.security)
        return smtp

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        host, port, timeout = settings.smtp_host, settings.smtp_port, settings.timeout
        if settings.security == "ssl":
            return WatchedSmtpSsl(self._watchdog, host, port, timeout, self._tls_context())
        return WatchedSmtp(self._watchdog, host, port, timeout)

    def _tls_context(self) -> ssl.SSLContext:
        """The system's authorities plus ``ca_file``; certificates and host names are always checked."""
        context = ssl.create_default_context()
        if self.settings.ca_file is not None:
            try:
                context.load_verify_locations(cafile=self.settings.ca_file)
            except OSError as err:  # ssl.SSLError is an OSError
                raise _Failure(f"cannot use ca_file {self.settings.ca_file}: {_text(str(err))}") from None
        return context

    def _starttls(self, smtp: smtplib.SMTP) -> None:
        settings = self.settings
        if not smtp.has_extn("starttls"):
            raise _Failure(
                f"{settings.smtp_host}:{settings.smtp_port} does not offer STARTTLS; not sending in clear text "
                '(use security = "ssl" for implicit TLS, or "none" only for a trusted local relay)'
            )
        smtp.starttls(context=self._tls_context())
        smtp.ehlo()  # RFC 3207 §4.2: forget what the server said before TLS and ask again

    # --- credentials ---

    def _credentials(self) -> tuple[str, str] | None:
        """The user name and password from the environment, or None when the config asks for no login."""
        user_env, password_env = self.settings.username_env, self.settings.password_env
        if user_env is None and password_env is None:
            return None
        if user_env is None or password_env is None:
            missing = "username_env" if user_env is None else "password_env"
            raise _Failure(f"[email] {missing} is not set; set both username_env and password_env, or neither")
        user, password = self._environ.get(user_env), self._environ.get(password_env)
        if not password:
            raise _Failure(f"environment variable {password_env} (the SMTP password) is not set or empty")
        if not user:
            raise _Failure(f"environment variable {user_env} (the SMTP user name) is not set or empty")
        self._redact = login_forms(user, password, public_addresses(_shown(self.settings)))
        return user, password

    def _login(self, smtp: smtplib.SMTP, user: str, password: str) -> None:
        try:
            smtp.login(user, password)
        except smtplib.SMTPNotSupportedError:
            raise _Failure(
                f"{self.settings.smtp_host} does not offer AUTH on this connection; check security and port"
            ) from None
        except UnicodeEncodeError:
            raise _Failure(
                f"the values of {self.settings.username_env} and {self.settings.password_env} must be ASCII: "
                "smtplib cannot send other characters in a login"
            ) from None
        except smtplib.SMTPException as err:
            names = f"{self.settings.username_env}/{self.settings.password_env}"
            raise _Failure(f"login with {names}: {self._reason(err)}") from None

    # --- errors ---

    def _reason(self, err: OSError) -> str:
        settings = self.settings
        if self._watchdog.fired:
            err = TimeoutError()
        return reason(err, settings.smtp_host, settings.smtp_port, settings.timeout)

    def _error(self, recipient: str, err: OSError) -> DeliveryError:
        return DeliveryError(CHANNEL, recipient, self._scrub(self._reason(err)))

    def _scrub(self, text: str) -> str:
        """``text`` with the login, in every form a login sends it, replaced: a server may echo it back."""
        return self._redact(text)

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def _shown(settings: EmailSettings) -> list[str]:
    """The addresses the config file shows: a login name equal to one of them is shown as itself."""
    return [settings.sender, *(recipient.address for recipient in settings.recipients)]
