"""Webhook payloads: one ``Message`` in, the JSON object a Slack, Discord or generic webhook receives out.

Paper text is untrusted: a title can say ``<!channel>``, ``@everyone`` or ``[click](https://evil)``. Each kind
is escaped by its receiver's own rules so that such text shows as text and never mentions anyone or links
anywhere but arXiv and the configured page:

- Slack: https://api.slack.com/reference/surfaces/formatting#escaping (``&``, ``<``, ``>`` as entities) and
  ``verbatim`` text objects, so Slack does not turn bare names or URLs into mentions or links either.
  Limits: https://api.slack.com/reference/block-kit/blocks (≤ 50 blocks, section text ≤ 3000 characters,
  header text ≤ 150).
- Discord: a backslash before every Markdown character, and ``allowed_mentions`` that allows none
  (https://discord.com/developers/docs/resources/message#allowed-mentions-object). Limits:
  https://discord.com/developers/docs/resources/message#embed-object-embed-limits (content ≤ 2000, ≤ 10 embeds,
  title ≤ 256, description ≤ 4096, all embeds together ≤ 6000).
- JSON: the data as it is; JSON encoding is the only escaping a program reading it needs.

Each topic shows at most ``message.limit`` papers and then "and N more" (linking ``message.link`` when set);
when a receiver's limits cut earlier, the count says so too, so that nothing is dropped without a word.
Lengths are counted in UTF-16 code units, which is never less than what either service counts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from dailypapers.model import Listed, Message, Pick, Section
from dailypapers.render._picks import PICKS, why_line
from dailypapers.render._summary import TLDR, facets_line, tldr_text
from dailypapers.render._text import clip, one_line, plural, size
from dailypapers.render.markdown import long_date

KINDS = ("slack", "discord", "json")

TITLE_CHARS = 300
"""A title longer than this is cut in chat messages: one paper must never fill a whole block or embed."""
AUTHOR_CHARS = 120
SHOWN_AUTHORS = 3
SUMMARY_CHARS = 300
"""A TL;DR, and the problem/method/result line, longer than this are cut in chat messages, like titles."""

SLACK_BLOCKS = 50
SLACK_SECTION = 3000
SLACK_HEADER = 150
DISCORD_CONTENT = 2000
DISCORD_EMBEDS = 10
DISCORD_TITLE = 256
DISCORD_DESCRIPTION = 4096
DISCORD_TOTAL = 6000

_SLACK_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_DISCORD_SPECIALS = re.compile(r"([\\*_~`|<>\[\]()#@:])")
TOPIC_CHARS = 100
LINK_CHARS = 256
"""Topic names and a page link longer than these are cut or left out of Discord embeds (the link stays in
``content``), so that even nine topics with nothing but "and N more" fit in the 6000 characters."""


def webhook_payload(kind: str, message: Message) -> dict[str, Any]:
    """The JSON object to post to a webhook of ``kind`` ("slack", "discord" or "json")."""
    builders: dict[str, Callable[[Message], dict[str, Any]]] = {
        "slack": slack_payload,
        "discord": discord_payload,
        "json": json_payload,
    }
    if kind not in builders:
        raise ValueError(f"unknown webhook kind {kind!r}; expected one of {', '.join(KINDS)}")
    return builders[kind](message)


# --- shared ---


def _authors(listed: Listed) -> str:
    names = [one_line(author.name) for author in listed.paper.authors[:SHOWN_AUTHORS]]
    more = " et al." if len(listed.paper.authors) > SHOWN_AUTHORS else ""
    return clip(", ".join(names), AUTHOR_CHARS) + more


def _version_mark(listed: Listed) -> str:
    return f" (new version v{listed.paper.version})" if listed.new_version else ""


def _summary_lines(listed: Listed, escape: Callable[[str], str]) -> str:
    """The lines a paper's summary adds under its line in a chat message, escaped like paper text: ``TL;DR: …``
    and the problem/method/result line when there is one; nothing without a summary."""
    lines = [f"{TLDR}: {tldr}" for tldr in (tldr_text(listed.summary),) if tldr]
    lines += [line for line in (facets_line(listed.summary),) if line]
    return "".join(f"\n    {escape(clip(line, SUMMARY_CHARS))}" for line in lines)


def _summary(message: Message) -> str:
    return f"{plural(message.count, 'new paper')} on {long_date(message.day)}"


def _intro(first: str, message: Message, escape: Callable[[str], str], link: str | None, limit: int) -> str:
    """A message's opening, within ``limit``: its first line, the announcement note (escaped) and the page link."""
    lines = [first]
    if message.note:
        lines.append(escape(clip(one_line(message.note), 1000)))
    if link:
        lines.append(link)
    return clip("\n".join(lines), limit)


def _pick_lines(message: Message, escape: Callable[[str], str], link: Callable[[Pick, str], str], room: int) -> str:
    """The top picks as numbered lines (a link, then why, escaped like paper text), within ``room``."""
    lines: list[str] = []
    for number, pick in enumerate(message.picks, start=1):
        title = escape(clip(one_line(pick.listed.paper.title), TITLE_CHARS))
        line = f"{number}. {link(pick, title)} — {escape(clip(why_line(pick.interest), SUMMARY_CHARS))}"
        if size("\n".join([*lines, line])) > room:
            break
        lines.append(line)
    return "\n".join(lines)


def _share(budget: int, parts_left: int) -> int:
    """An even share of what is left, so that the first topics cannot starve the last ones."""
    return budget // max(parts_left, 1)


# --- Slack ---


def slack_escape(text: str) -> str:
    """Paper text for Slack ``mrkdwn``: one line, and ``&``, ``<``, ``>`` as the entities Slack asks for."""
    return "".join(_SLACK_ENTITIES.get(char, char) for char in one_line(text))


def _slack_more(count: int, link: str | None, where: str = "") -> str:
    more = f"…and {count} more{where}"
    return f"{more}: <{slack_escape(link)}|see the page>" if link else more


def _slack_line(listed: Listed) -> str:
    paper = listed.paper
    title = slack_escape(clip(one_line(paper.title), TITLE_CHARS))
    authors = slack_escape(_authors(listed))
    return f"• <{paper.abs_url}|{title}>{_version_mark(listed)} — {authors}{_summary_lines(listed, slack_escape)}"


def _slack_link(pick: Pick, title: str) -> str:
    return f"<{pick.listed.paper.abs_url}|{title}>"


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def _slack_topic(section: Section, message: Message, max_blocks: int) -> list[str]:
    """One topic as the texts of at most ``max_blocks`` sections, the last ending in "and N more" if cut."""
    tail_room = size("\n" + _slack_more(10**6, message.link))
    texts: list[str] = []
    text = f"*{slack_escape(clip(section.topic, TITLE_CHARS))}* · {plural(len(section.papers), 'paper')}"
    shown = 0
    for listed in section.papers[: message.limit]:
        line = _slack_line(listed)
        if size(text) + 1 + size(line) + tail_room <= SLACK_SECTION:
            text += "\n" + line
        elif len(texts) + 2 <= max_blocks:
            texts.append(text)
            text = line
        else:
            break
        shown += 1
    more = len(section.papers) - shown
    if more:
        text += "\n" + _slack_more(more, message.link)
    return [*texts, text]


def slack_payload(message: Message) -> dict[str, Any]:
    """An incoming-webhook message: a header, a summary, then each topic in sections of at most 3000 chars."""
    intro = _slack_intro(message)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(one_line(message.title), SLACK_HEADER)}},
        _mrkdwn(intro),
    ]
    if message.picks:
        heading = f"*{PICKS}*\n"
        blocks.append(_mrkdwn(heading + _pick_lines(message, slack_escape, _slack_link, SLACK_SECTION - size(heading))))
    budget = SLACK_BLOCKS - len(blocks) - 1  # one kept for the line about topics that did not fit
    left_out = 0
    topics = [section for section in message.sections if section.papers]
    for index, section in enumerate(topics):
        if budget < 1:
            left_out += len(section.papers)
            continue
        texts = _slack_topic(section, message, _share(budget, len(topics) - index) or 1)
        blocks += [_mrkdwn(text) for text in texts]
        budget -= len(texts)
    if left_out:
        blocks.append(_mrkdwn(_slack_more(left_out, message.link, " on other topics")))
    fallback = f"{one_line(message.title)}: {_summary(message)}"
    return {"text": slack_escape(fallback), "blocks": blocks}


def _slack_intro(message: Message) -> str:
    link = f"<{slack_escape(message.link)}|Open the page>" if message.link else None
    return _intro(f"*{slack_escape(_summary(message))}*", message, slack_escape, link, SLACK_SECTION)


# --- Discord ---


def discord_escape(text: str) -> str:
    r"""Paper text for Discord Markdown: one line, a backslash before each character Markdown could act on.

    Discord shows ``\X`` as ``X`` for any punctuation ``X``, so the text reads the same but cannot open a
    link (``[...](...)``, or a bare ``https:`` or ``javascript:``), a mention (``<@…>``, ``@everyone``), a
    heading, a quote or a spoiler. Lines never start with paper text, so list markers need no escape.
    """
    return _DISCORD_SPECIALS.sub(r"\\\1", one_line(text))


def _discord_more(count: int, link: str | None, where: str = "") -> str:
    more = f"…and {count} more{where}"
    return f"{more}: [see the page]({link})" if link and size(link) <= LINK_CHARS else more


def _discord_line(listed: Listed) -> str:
    paper = listed.paper
    title = discord_escape(clip(one_line(paper.title), TITLE_CHARS))
    authors = discord_escape(_authors(listed))
    return f"• [{title}]({paper.abs_url}){_version_mark(listed)} — {authors}{_summary_lines(listed, discord_escape)}"


def _discord_embed(section: Section, message: Message, budget: int) -> tuple[dict[str, Any], int]:
    """One topic as an embed of at most ``budget`` characters (title and description), and its size."""
    title = clip(one_line(section.topic), min(TOPIC_CHARS, DISCORD_TITLE))
    room = min(DISCORD_DESCRIPTION, budget - size(title)) - size("\n" + _discord_more(10**6, message.link))
    lines: list[str] = []
    used = -1
    for listed in section.papers[: message.limit]:
        line = _discord_line(listed)
        if used + 1 + size(line) > room:
            break
        lines.append(line)
        used += 1 + size(line)
    more = len(section.papers) - len(lines)
    if more:
        lines.append(_discord_more(more, message.link))
    embed: dict[str, Any] = {"title": title, "description": "\n".join(lines)}
    if message.link:
        embed["url"] = message.link
    return embed, size(title) + size(embed["description"])


def discord_payload(message: Message) -> dict[str, Any]:
    """A webhook message: a short ``content`` and one embed per topic, within every Discord limit."""
    topics = [section for section in message.sections if section.papers]
    picks = [_discord_picks(message)] if message.picks else []
    room = DISCORD_EMBEDS - len(picks)
    shown, rest = topics[:room], []
    if len(topics) > room:
        shown, rest = topics[: room - 1], topics[room - 1 :]
    budget = DISCORD_TOTAL - (_discord_rest_size(rest, message) if rest else 0)
    budget -= sum(size(embed["title"]) + size(embed["description"]) for embed in picks)
    embeds: list[dict[str, Any]] = list(picks)
    for index, section in enumerate(shown):
        embed, used = _discord_embed(section, message, _share(budget, len(shown) - index))
        embeds.append(embed)
        budget -= used
    if rest:
        embeds.append(_discord_rest(rest, message))
    return {"content": _discord_content(message), "embeds": embeds, "allowed_mentions": {"parse": []}}


def _discord_picks(message: Message) -> dict[str, Any]:
    """The first embed of a message with top picks: a third of the characters at most, so topics keep room."""
    text = _pick_lines(message, discord_escape, _discord_link, DISCORD_TOTAL // 3 - size(PICKS))
    return {"title": PICKS, "description": text}


def _discord_link(pick: Pick, title: str) -> str:
    return f"[{title}]({pick.listed.paper.abs_url})"


def _discord_content(message: Message) -> str:
    first = f"**{discord_escape(clip(one_line(message.title), 200))}**: {discord_escape(_summary(message))}"
    return _intro(first, message, discord_escape, f"<{message.link}>" if message.link else None, DISCORD_CONTENT)


def _discord_rest(rest: Sequence[Section], message: Message) -> dict[str, Any]:
    """The last embed when there are more topics than embeds: their names and counts, and the page."""
    count = sum(len(section.papers) for section in rest)
    head = _discord_more(count, message.link, f" on {plural(len(rest), 'other topic')}") + ":"
    names = ", ".join(f"{discord_escape(clip(section.topic, TOPIC_CHARS))} ({len(section.papers)})" for section in rest)
    return {"title": "More topics", "description": clip(f"{head}\n{names}", 1000)}


def _discord_rest_size(rest: Sequence[Section], message: Message) -> int:
    embed = _discord_rest(rest, message)
    return size(embed["title"]) + size(embed["description"])


# --- JSON ---


def json_payload(message: Message) -> dict[str, Any]:
    """A plain structure for any program: the message, then per topic its first ``limit`` papers.

    ``{"title", "day", "count", "note", "link", "topics": [{"topic", "query", "papers": [...], "more"}]}``;
    each paper has ``id`` (without version), ``version``, ``title``, ``authors`` (names), ``categories``
    (primary first), ``updated`` (ISO 8601, UTC), ``abs_url``, ``pdf_url``, ``new_version``, ``reason`` (the
    part of the topic's query it matched, or null), ``abstract`` and ``summary`` (``{"tldr", "problem",
    "method", "result"}``, the last three null when the model gave none; null when the paper has no summary);
    ``more`` counts the papers left out. With a trained ranking, ``picks`` (absent otherwise, so a payload
    without one is as it always was) lists the top picks, best first: ``id``, ``version``, ``title``, ``score``,
    ``why`` (one line), ``topics`` and ``abs_url``.
    """
    payload = {
        "title": message.title,
        "day": message.day.isoformat(),
        "count": message.count,
        "note": message.note,
        "link": message.link,
        "topics": [
            {
                "topic": section.topic,
                "query": section.query,
                "papers": [_json_paper(listed) for listed in section.papers[: message.limit]],
                "more": max(0, len(section.papers) - message.limit),
            }
            for section in message.sections
        ],
    }
    if message.picks:
        payload["picks"] = [_json_pick(pick) for pick in message.picks]
    return payload


def _json_pick(pick: Pick) -> dict[str, Any]:
    paper = pick.listed.paper
    return {
        "id": paper.id,
        "version": paper.version,
        "title": one_line(paper.title),
        "score": round(pick.interest.score, 4),
        "why": why_line(pick.interest),
        "topics": list(pick.topics),
        "abs_url": paper.abs_url,
    }


def _json_paper(listed: Listed) -> dict[str, Any]:
    paper = listed.paper
    return {
        "id": paper.id,
        "version": paper.version,
        "title": one_line(paper.title),
        "authors": [author.name for author in paper.authors],
        "categories": list(paper.categories),
        "updated": paper.updated.isoformat(),
        "abs_url": paper.abs_url,
        "pdf_url": paper.pdf_url,
        "new_version": listed.new_version,
        "reason": listed.reason,
        "abstract": one_line(paper.abstract),
        "summary": _json_summary(listed),
    }


def _json_summary(listed: Listed) -> dict[str, str | None] | None:
    summary = listed.summary
    if summary is None or tldr_text(summary) is None:
        return None
    parts = {"problem": summary.problem, "method": summary.method, "result": summary.result}
    return {"tldr": tldr_text(summary), **{key: one_line(text or "") or None for key, text in parts.items()}}
