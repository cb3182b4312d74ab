"""Every number, URL and address the config takes is checked: one error line naming the file and the key.

TOML reads ``nan``, ``inf`` and 64-bit integers; the environment overrides are free text. Each would reach a
sleep, a socket or a header unchecked, so each is refused before anything is fetched, and the message says
what is expected.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from dailypapers.cli import cli
from dailypapers.config import load_config
from dailypapers.errors import ConfigError

MINIMAL = '[[topics]]\nname = "compiler"\n'
EMAIL = '[email]\nsmtp_host = "smtp.example.org"\nsender = "Papers <p@example.org>"\n'
RECIPIENT = '[[email.recipients]]\naddress = "ada@example.org"\n'
WEBHOOK = '[[webhooks]]\nkind = "json"\nurl_env = "HOOK_URL"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dailypapers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def with_key(table: str, key: str, value: str) -> str:
    """A config with ``key = value`` in ``table`` ("" for the top, "email", "webhooks[0]", "arxiv", ...)."""
    line = f"{key} = {value}\n"
    if table == "":
        return line + MINIMAL
    if table == "email":
        return MINIMAL + EMAIL + line + RECIPIENT
    if table == "webhooks[0]":
        return MINIMAL + WEBHOOK + line
    return MINIMAL + f"[{table}]\n" + line


# (table, key, whole number?, low, high, low excluded?)
NUMBERS: list[tuple[str, str, bool, int, int, bool]] = [
    ("", "max_papers", True, 1, 10_000, False),
    ("outputs", "issue_limit", True, 1, 10_000, False),
    ("arxiv", "delay", False, 0, 600, False),
    ("arxiv", "timeout", False, 0, 3600, True),
    ("arxiv", "max_attempts", True, 1, 20, False),
    ("arxiv", "max_wait", False, 0, 3600, False),
    ("arxiv", "page_size", True, 1, 2000, False),
    ("arxiv", "lookback_days", True, 0, 90, False),
    ("arxiv", "max_pages", True, 1, 1000, False),
    ("email", "smtp_port", True, 1, 65535, False),
    ("email", "max_per_message", True, 1, 10_000, False),
    ("email", "timeout", False, 0, 3600, True),
    ("webhooks[0]", "max_per_message", True, 1, 10_000, False),
    ("webhooks[0]", "max_attempts", True, 1, 20, False),
    ("webhooks[0]", "timeout", False, 0, 3600, True),
]


def bad_values(whole: bool, low: int, high: int, above: bool) -> list[tuple[str, str]]:
    """(TOML text, how the message shows the value) of values out of range or of the wrong kind."""

    def shown(n: int) -> str:
        return str(n) if whole else repr(float(n))

    values = [
        ("nan", "nan"),
        ("+nan", "nan"),
        ("inf", "inf"),
        ("-inf", "-inf"),
        ("1e300", "1e+300"),
        (str(low - 1), shown(low - 1)),
        (str(high + 1), shown(high + 1)),
        ("9223372036854775807", shown(9223372036854775807)),
        ("-9223372036854775808", shown(-9223372036854775808)),
        ("true", "True"),
        ("'5'", "'5'"),
        ("[1]", "[1]"),
    ]
    if whole:
        values.append(("2.5", "2.5"))
    if above:
        values.append(("0", "0.0"))
    return values


def expected_range(whole: bool, low: int, high: int, above: bool) -> str:
    noun = "a whole number" if whole else "a number"
    return f"{noun} above {low} and at most {high}" if above else f"{noun} from {low} to {high}"


CASES = [
    pytest.param(
        table,
        key,
        text,
        f"{table + '.' if table else ''}{key}: expected {expected_range(whole, low, high, above)}, got {shown}",
        id=f"{table}.{key}={text}",
    )
    for table, key, whole, low, high, above in NUMBERS
    for text, shown in bad_values(whole, low, high, above)
]


@pytest.mark.parametrize(("table", "key", "value", "message"), CASES)
def test_a_number_out_of_range_is_one_line_naming_the_key(
    tmp_path: Path, table: str, key: str, value: str, message: str
) -> None:
    path = write(tmp_path, with_key(table, key, value))
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == f"{path.resolve()}: {message}"


@pytest.mark.parametrize(("table", "key", "whole", "low", "high", "above"), NUMBERS)
def test_the_bounds_themselves_are_accepted(
    tmp_path: Path, table: str, key: str, whole: bool, low: int, high: int, above: bool
) -> None:
    values: list[float] = [high] if above else [low, high]
    if not whole:
        values.append(low + 0.5)
    for value in values:
        config = load_config(write(tmp_path, with_key(table, key, str(value))), environ={})
        assert config is not None


def test_the_delay_example_from_the_issue(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "[arxiv]\ndelay = nan\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == f"{path.resolve()}: arxiv.delay: expected a number from 0 to 600, got nan"


@pytest.mark.parametrize(
    "raw", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1", "601", "-0.001", "soon", "3s", "0x10", "1,5"]
)
def test_a_bad_delay_in_the_environment_is_one_line(tmp_path: Path, raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, MINIMAL), environ={"DAILYPAPERS_DELAY": raw})
    assert str(caught.value) == f"environment: DAILYPAPERS_DELAY: expected a number from 0 to 600, got {raw!r}"


@pytest.mark.parametrize(("raw", "delay"), [("0", 0.0), ("600", 600.0), (" 2.5 ", 2.5), ("", 3.0)])
def test_a_good_delay_in_the_environment_is_taken(tmp_path: Path, raw: str, delay: float) -> None:
    config = load_config(write(tmp_path, MINIMAL), environ={"DAILYPAPERS_DELAY": raw})
    assert config.arxiv.delay == delay and math.isfinite(config.arxiv.delay)


BAD_URLS = [
    "ftp://export.arxiv.org/api/query",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "gopher://127.0.0.1:70/",
    "export.arxiv.org/api/query",
    "//export.arxiv.org/api/query",
    "http://",
    "https:///path",
    "https://exa mple.org/",
    "https://example.org/\r\nX-Injected: 1",
    "https://example.org/\n",
    "https://example.org\t/",
    "http://example.org:99999/",
    "http://example.org:port/",
    "https://bücher.example/",
    "https://example.org/\x00",
    "",
]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("key", ["api_url", "rss_url", "oai_url"])
def test_an_arxiv_url_must_be_http_or_https(tmp_path: Path, key: str, url: str) -> None:
    text = MINIMAL + f"[arxiv]\n{key} = {toml_string(url)}\n"
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert message.startswith(f"{path.resolve()}: arxiv.{key}: expected an http(s) URL such as 'https://")
    assert message.endswith(f", got {url!r}") and "\n" not in message


@pytest.mark.parametrize("url", [url for url in BAD_URLS if url])  # an empty variable means "not set"
@pytest.mark.parametrize("variable", ["DAILYPAPERS_API_URL", "DAILYPAPERS_RSS_URL", "DAILYPAPERS_OAI_URL"])
def test_an_environment_url_must_be_http_or_https(tmp_path: Path, variable: str, url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, MINIMAL), environ={variable: url})
    expected = f"expected an http(s) URL such as 'https://export.arxiv.org/api/query', got {url!r}"
    assert str(caught.value) == f"environment: {variable}: {expected}"


@pytest.mark.parametrize("url", BAD_URLS)
def test_the_published_link_must_be_http_or_https(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, f"link = {toml_string(url)}\n" + MINIMAL)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == (
        f"{path.resolve()}: link: expected an http(s) URL such as 'https://you.github.io/papers/', got {url!r}"
    )


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/api/query", "HTTPS://EXPORT.ARXIV.ORG/api/query", "https://[::1]:443/oai"]
)
def test_good_urls_are_taken(tmp_path: Path, url: str) -> None:
    config = load_config(write(tmp_path, MINIMAL + f'[arxiv]\napi_url = "{url}"\n'), environ={})
    assert config.arxiv.api_url == url


@pytest.mark.parametrize(
    "contact",
    [
        "ada@example.org\r\nX-Injected: 1",
        "ada@example.org\n",
        "ada@example.org\r",
        "Ada Lovelace <ada@example.org>",
        "ada @example.org",
        "ada@exa mple.org",
        "ada",
        "ada@",
        "@example.org",
        "ada@@example.org",
        "adä@example.org",
        "ada@example.org; rm -rf /",
        "ada@example.org)",
        "ada@-example.org",
        "",
    ],
)
def test_contact_must_be_a_plain_address(tmp_path: Path, contact: str) -> None:
    path = write(tmp_path, f"contact = {toml_string(contact)}\n" + MINIMAL)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value) == (
        f"{path.resolve()}: contact: expected a plain e-mail address such as 'ada@example.org', got {contact!r}"
    )


@pytest.mark.parametrize("contact", ["ada@example.org", "ada.lovelace+arxiv@mail.example.co.uk", "a_b-c@localhost"])
def test_plain_addresses_are_taken(tmp_path: Path, contact: str) -> None:
    assert load_config(write(tmp_path, f'contact = "{contact}"\n' + MINIMAL), environ={}).contact == contact


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_paper = 5\n" + MINIMAL, "max_paper: unknown key; did you mean 'max_papers'? expected one of title,"),
        ("Title = 'x'\n" + MINIMAL, "Title: unknown key; did you mean 'title'? expected one of title,"),
        ("[scope]\ncategorie = ['cs']\n" + MINIMAL, "scope.categorie: unknown key; did you mean 'categories'?"),
        (MINIMAL + "[outputs]\nmarkdwn = 'x.md'\n", "outputs.markdwn: unknown key; did you mean 'markdown'?"),
        (MINIMAL + "[arxiv]\ndealy = 3\n", "arxiv.dealy: unknown key; did you mean 'delay'?"),
        (MINIMAL + "[arxiv]\nlookback = 3\n", "arxiv.lookback: unknown key; did you mean 'lookback_days'?"),
        (MINIMAL + EMAIL + "smtp_hots = 'x'\n" + RECIPIENT, "email.smtp_hots: unknown key; did you mean 'smtp_host'?"),
        (MINIMAL + EMAIL + "[[email.recipients]]\nadress = 'a@b.c'\n", "email.recipients[0].adress: unknown key; "),
        (MINIMAL + WEBHOOK + "max_attempt = 2\n", "webhooks[0].max_attempt: unknown key; did you mean 'max_attempts'?"),
        ('[[topics]]\nname = "x"\nquerry = "ti:x"\n', "topics[0].querry: unknown key; did you mean 'query'?"),
        (MINIMAL + "[[topics]]\nnmae = 'y'\n", "topics[1].nmae: unknown key; did you mean 'name'?"),
        (MINIMAL + "[arxiv.mirror]\nurl = 'x'\n", "arxiv.mirror: unknown key; expected one of api_url, rss_url,"),
        ("zzz = 1\n" + MINIMAL, "zzz: unknown key; expected one of title, timezone,"),
    ],
)
def test_an_unknown_key_suggests_the_closest_one_at_every_level(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value).startswith(f"{path.resolve()}: {message}")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("command", ["run", "render", "search"])
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MINIMAL + "[arxiv]\ndelay = nan\n", "arxiv.delay: expected a number from 0 to 600, got nan"),
        ("max_papers = 1e999\n" + MINIMAL, "max_papers: expected a whole number from 1 to 10000, got inf"),
        (MINIMAL + "[arxiv]\ntimeout = -inf\n", "arxiv.timeout: expected a number above 0 and at most 3600, got -inf"),
        ('contact = "a@b.org\\r\\nX: y"\n' + MINIMAL, "contact: expected a plain e-mail address such as"),
        (MINIMAL + '[arxiv]\napi_url = "file:///etc/passwd"\n', "arxiv.api_url: expected an http(s) URL such as"),
    ],
)
def test_the_command_prints_one_line_and_exits_2(tmp_path: Path, command: str, text: str, message: str) -> None:
    path = write(tmp_path, text)
    args = [command, "--config", str(path)] + (["ti:x"] if command == "search" else [])
    result = CliRunner().invoke(cli, args, env={"DAILYPAPERS_DELAY": "0"})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"dailypapers: error: {path.resolve()}: {message}")
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dailypapers.toml"]


def test_a_bad_environment_override_exits_2_before_any_file_is_made(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    result = CliRunner().invoke(cli, ["run", "--config", str(path)], env={"DAILYPAPERS_DELAY": "nan"})
    assert result.exit_code == 2
    assert (
        result.stderr
        == "dailypapers: error: environment: DAILYPAPERS_DELAY: expected a number from 0 to 600, got 'nan'\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dailypapers.toml"]


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string, control characters escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if ord(c) >= 32 and ord(c) != 127 else f"\\u{ord(c):04x}" for c in escaped) + '"'


CONTROL = "without control characters, got"
HOST = "expected a host name such as 'smtp.example.org', got"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'title = "Papers\\r\\nBcc: x"\n' + MINIMAL,
            f"title: expected one line of text {CONTROL} 'Papers\\r\\nBcc: x'",
        ),
        ('title = "a\\u2028b"\n' + MINIMAL, f"title: expected one line of text {CONTROL} 'a\\u2028b'"),
        ('database = "a\\u0000b.db"\n' + MINIMAL, f"database: expected a file path {CONTROL} 'a\\x00b.db'"),
        ('database = ""\n' + MINIMAL, f"database: expected a file path {CONTROL} ''"),
        (MINIMAL + '[outputs]\nmarkdown = "x\\u0000.md"\n', "outputs.markdown: expected a file path or false, got"),
        (MINIMAL + '[outputs]\nfeeds = "feeds\\n"\n', "outputs.feeds: expected a file path or false, got 'feeds\\n'"),
        (MINIMAL + EMAIL + 'ca_file = "ca\\u0000.pem"\n' + RECIPIENT, f"email.ca_file: expected a file path {CONTROL}"),
        (
            MINIMAL + EMAIL.replace(".org", ".org\\r\\n", 1) + RECIPIENT,
            f"email.smtp_host: {HOST} 'smtp.example.org\\r\\n'",
        ),
        (MINIMAL + EMAIL.replace("smtp.", "smtp ", 1) + RECIPIENT, f"email.smtp_host: {HOST} 'smtp example.org'"),
        (MINIMAL + EMAIL.replace(">", ">\\u0000") + RECIPIENT, "email.sender: expected an address such as"),
        (MINIMAL + EMAIL + RECIPIENT.replace(".org", ".org\\u0000"), "email.recipients[0].address: expected an email"),
    ],
)
def test_text_that_reaches_a_header_or_a_path_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value).startswith(f"{path.resolve()}: {message}")
    assert "\n" not in str(caught.value)
