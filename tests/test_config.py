from __future__ import annotations

from pathlib import Path

import pytest

from dailypapers.config import load_config
from dailypapers.errors import ConfigError

MINIMAL = '[[topics]]\nname = "compiler"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dailypapers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_has_defaults_relative_to_its_folder(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL), environ={})
    assert config.title == "Daily Papers"
    assert config.max_papers == 100
    assert config.columns == ("Title", "Date", "Abstract", "Comment")
    assert config.database == tmp_path / "dailypapers.db"
    assert config.outputs.markdown == tmp_path / "README.md"
    assert config.outputs.issue == tmp_path / ".github" / "ISSUE_TEMPLATE.md"
    assert config.arxiv.delay == 3.0
    assert config.arxiv.api_url == "https://export.arxiv.org/api/query"
    assert [t.name for t in config.topics] == ["compiler"]
    assert config.topics[0].source == 'ti:"compiler" OR abs:"compiler"'
    assert config.topics[0].announce == ("new", "cross")


def test_environment_overrides_the_arxiv_table(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + '[arxiv]\napi_url = "https://mirror.example/api/query"\ndelay = 5\n')
    environ = {
        "DAILYPAPERS_API_URL": "http://127.0.0.1:9/api/query",
        "DAILYPAPERS_RSS_URL": "http://127.0.0.1:9",
        "DAILYPAPERS_OAI_URL": "http://127.0.0.1:9/oai",
        "DAILYPAPERS_DELAY": "0",
    }
    config = load_config(path, environ=environ)
    assert config.arxiv.api_url == "http://127.0.0.1:9/api/query"
    assert config.arxiv.rss_url == "http://127.0.0.1:9"
    assert config.arxiv.oai_url == "http://127.0.0.1:9/oai"
    assert config.arxiv.delay == 0.0
    defaults = load_config(path, environ={}).arxiv
    assert (defaults.rss_url, defaults.oai_url) == ("https://rss.arxiv.org", "https://oaipmh.arxiv.org/oai")
    assert load_config(path, environ={}).arxiv.delay == 5.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "titel = 'x'\n" + MINIMAL,
            "dailypapers.toml: titel: unknown key; did you mean 'title'? expected one of title, timezone",
        ),
        (MINIMAL + "[scope]\ncategory = ['cs']\n", "dailypapers.toml: scope.category: unknown key"),
        ('[[topics]]\nname = "x"\nquerry = "ti:x"\n', "dailypapers.toml: topics[0].querry: unknown key"),
        ("max_papers = 0\n" + MINIMAL, "dailypapers.toml: max_papers: expected a whole number from 1 to 10000, got 0"),
        (
            "max_papers = 'ten'\n" + MINIMAL,
            "dailypapers.toml: max_papers: expected a whole number from 1 to 10000, got 'ten'",
        ),
        (
            "timezone = 'Mars/Olympus'\n" + MINIMAL,
            "dailypapers.toml: timezone: unknown time zone 'Mars/Olympus'",
        ),
        ("columns = ['Title', 'Votes']\n" + MINIMAL, "dailypapers.toml: columns: unknown column 'Votes'"),
        ("title = 'x'\n", "dailypapers.toml: topics: at least one [[topics]] entry is needed"),
        ('[[topics]]\nname = ""\n', "dailypapers.toml: topics[0].name: every topic needs a non-empty name"),
        (
            '[[topics]]\nname = "a"\n[[topics]]\nname = "a"\n',
            "dailypapers.toml: topics[1].name: topic 'a' is",
        ),
        (
            MINIMAL + "[arxiv]\npage_size = 5000\n",
            "dailypapers.toml: arxiv.page_size: expected a whole number from 1 to 2000, got 5000",
        ),
        ("title = \n", "dailypapers.toml: not valid TOML"),
        (
            '[[topics]]\nname = "x"\nannounce = ["new", "old"]\n',
            "dailypapers.toml: topics[0].announce: unknown announcement type 'old'",
        ),
        (MINIMAL + "[arxiv]\nholidays = ['24 Dec']\n", "dailypapers.toml: arxiv.holidays: expected dates such as"),
        (MINIMAL + "[arxiv]\ndelay = -1\n", "dailypapers.toml: arxiv.delay: expected a number from 0 to 600, got -1.0"),
    ],
)
def test_a_wrong_key_names_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ={})
    shown = message.replace("dailypapers.toml", str(tmp_path.resolve() / "dailypapers.toml"), 1)
    assert str(caught.value).startswith(shown)


def test_a_malformed_topic_query_names_the_topic_and_the_position(tmp_path: Path) -> None:
    path = write(tmp_path, '[[topics]]\nname = "compilers"\nquery = "(ti:compiler OR abs:compiler"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    text = str(caught.value)
    assert text.startswith(f"{path.resolve()}: topics[0].query: topic 'compilers': ")
    assert "column 1" in text
    assert "(ti:compiler OR abs:compiler\n  ^" in text


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file; create one with `dailypapers init`"):
        load_config(tmp_path / "nope.toml", environ={})


def test_bad_delay_in_the_environment_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DAILYPAPERS_DELAY: expected a number from 0 to 600, got 'soon'"):
        load_config(write(tmp_path, MINIMAL), environ={"DAILYPAPERS_DELAY": "soon"})


def test_the_init_template_is_a_valid_config(tmp_path: Path) -> None:
    from importlib.resources import files

    text = files("dailypapers").joinpath("data/dailypapers.toml").read_text(encoding="utf-8")
    config = load_config(write(tmp_path, text), environ={})
    assert [t.name for t in config.topics] == ["reinforcement learning", "compiler", "performance"]
    assert config.categories == ("cs.DC",)


EMAIL = '[email]\nsmtp_host = "smtp.example.org"\nsender = "Papers <p@example.org>"\n'
RECIPIENT = '[[email.recipients]]\naddress = "ada@example.org"\n'


def test_delivery_tables_are_read_with_their_defaults(tmp_path: Path) -> None:
    text = (
        'link = "https://ada.github.io/papers/"\n'
        + MINIMAL
        + '[[topics]]\nname = "performance"\n'
        + '[outputs]\nsite = "site/"\nfeeds = "feeds/"\n'
        + EMAIL
        + 'security = "ssl"\npassword_env = "SMTP_PASSWORD"\n'
        + RECIPIENT
        + 'topics = ["compiler"]\n[[email.recipients]]\naddress = "grace@example.org"\n'
        + '[[webhooks]]\nkind = "slack"\nurl_env = "SLACK_URL"\n'
    )
    config = load_config(write(tmp_path, text), environ={})
    assert config.link == "https://ada.github.io/papers/"
    assert (config.outputs.site, config.outputs.feeds) == (tmp_path / "site", tmp_path / "feeds")
    assert config.email is not None
    assert (config.email.smtp_port, config.email.security, config.email.password_env) == (465, "ssl", "SMTP_PASSWORD")
    assert [(r.address, r.topics) for r in config.email.recipients] == [
        ("ada@example.org", ("compiler",)),
        ("grace@example.org", ("compiler", "performance")),
    ]
    assert [(w.name, w.topics, w.max_per_message) for w in config.webhooks] == [
        ("slack:SLACK_URL", ("compiler", "performance"), 50)
    ]
    assert load_config(write(tmp_path, MINIMAL), environ={}).email is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MINIMAL + EMAIL.replace("smtp_host", "smtp_hots") + RECIPIENT, "email.smtp_hots: unknown key"),
        (MINIMAL + EMAIL + 'security = "tls"\n' + RECIPIENT, "email.security: must be starttls, ssl or none"),
        (MINIMAL + EMAIL, "email.recipients: expected one or more [[email.recipients]]"),
        (MINIMAL + EMAIL + RECIPIENT + 'topics = ["compilers"]\n', "email.recipients[0].topics: no topic is named"),
        (MINIMAL + EMAIL + '[[email.recipients]]\naddress = "ada"\n', "email.recipients[0].address: expected an"),
        (MINIMAL + EMAIL + RECIPIENT + 'password = "hunter2"\n', "email.recipients[0].password: unknown key"),
        (MINIMAL + EMAIL + 'password_env = "my password"\n' + RECIPIENT, "email.password_env: expected the name of"),
        (MINIMAL + '[[webhooks]]\nkind = "teams"\nurl_env = "X"\n', "webhooks[0].kind: must be slack, discord or json"),
        (MINIMAL + '[[webhooks]]\nkind = "slack"\n', "webhooks[0].url_env: name the environment variable"),
        (MINIMAL + '[[webhooks]]\nurl = "https://hooks.slack.com/x"\n', "webhooks[0].url: unknown key"),
        ('link = "ada.github.io"\n' + MINIMAL, "link: expected an http(s) URL"),
    ],
)
def test_delivery_config_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), environ={})
    assert f"dailypapers.toml: {message}" in str(caught.value)
