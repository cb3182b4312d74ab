"""The delivery set-up the delivery, crash and dry-run tests share: every output, two email recipients, a webhook."""

from __future__ import annotations

from email.message import EmailMessage

SECRET_URL_PATH = "/hooks/T000/B000/s3cr3t-t0ken"


DELIVERY = """
link = "https://ada.github.io/papers/"
[outputs]
markdown = "README.md"
issue = "{issue}"
site = "site/"
feeds = "feeds/"
[email]
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "none"
sender = "Daily Papers <papers@example.org>"
[[email.recipients]]
address = "ada@example.org"
[[email.recipients]]
address = "grace@example.org"
topics = ["compiler"]
[[webhooks]]
kind = "json"
url_env = "TEST_WEBHOOK_URL"
topics = ["performance"]
max_attempts = 1
"""


def delivery_config(port: int, issue: str = "issue.md") -> str:
    """Every output, ada on every topic and grace on "compiler" by email, a JSON webhook on "performance"."""
    return DELIVERY.format(port=port, issue=issue)


def paper_links(message: EmailMessage) -> set[str]:
    """The abstract links of an email's plain-text part: which papers the recipient was sent."""
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    return {word.rstrip(").,>") for word in text.split() if word.startswith("https://arxiv.org/abs/")}
