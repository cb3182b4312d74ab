"""``/topics``: each topic of the config with its query, its matches and a plot of them per week, and an editor
to try a query on the archive and save it as a topic.

- ``GET /topics`` shows the page; with ``?q=`` (the editor's Preview button, without JavaScript) it shows what
  the query matches too. ``GET /topics/preview?q=`` is that part alone, which htmx asks for as the user types.
- ``POST /topics`` (guarded) adds the topic to the config file, or, once the user confirms with ``replace``,
  gives a topic of that name the new query (``config.edit``: comments and layout kept, written atomically, and
  only when the new file loads). Then 303 back to ``/topics`` saying that the next run back-fills it; the reader
  reads the changed config on its next page (``Reader.refresh``).

A query's preview is the archive's answer (``Store.search`` and ``Store.count_matching``), so it is what the
topic will match once back-filled; its error is the CLI's text, caret included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dailypapers.arxiv.taxonomy import check_query_categories
from dailypapers.config.edit import TopicExists, add_topic, same_name
from dailypapers.errors import DailyPapersError, QuerySyntaxError, StoreError
from dailypapers.model import Paper
from dailypapers.query import Node, lint, parse
from dailypapers.serve.cards import author_path
from dailypapers.serve.guard import TOKEN_FIELD, guarded
from dailypapers.serve.plot import Plot, first_week, weekly_plot
from dailypapers.serve.reader import Reader
from dailypapers.store import database_errors

SHOWN = 10  # the newest papers a preview lists
MAX_QUERY = 2000  # characters; a topic's query is a line, not a document
AUTHORS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class Compact:
    """A paper in one line or two: title (to its page), first authors (to theirs), date, primary category."""

    paper_id: str
    title: str
    authors: tuple[tuple[str, str], ...]  # (name, its page)
    more_authors: int
    day: str
    category: str


def compact(paper: Paper) -> Compact:
    names = [author.name for author in paper.authors]
    return Compact(
        paper.id,
        paper.title,
        tuple((name, author_path(name)) for name in names[:AUTHORS_SHOWN]),
        max(0, len(names) - AUTHORS_SHOWN),
        paper.updated.date().isoformat(),
        paper.primary_category,
    )


@dataclass(frozen=True)
class Preview:
    """What a query would match: an error (the CLI's text), or a count and the newest papers; ``problem`` when
    the archive cannot answer now."""

    query: str
    error: str | None = None
    warnings: tuple[str, ...] = ()
    count: int = 0
    complete: bool = True
    papers: tuple[Compact, ...] = ()
    problem: str | None = None


def checked_query(text: str) -> Node:
    """The query parsed and its categories checked, as ``dailypapers search`` does; QuerySyntaxError if not."""
    if len(text) > MAX_QUERY:
        raise QuerySyntaxError(text[:80] + "…", 0, 80, f"a query of at most {MAX_QUERY} characters, please")
    node = parse(text)
    check_query_categories(text)
    return node


def archive_answer(reader: Reader, node: Node, limit: int) -> tuple[int, bool, list[Paper], str | None]:
    """How many papers of the archive match (and whether that is all), the newest ``limit``, or why not."""
    with reader.lock, database_errors(reader.store.path):
        problem = reader.store.search_index_problem()
        if problem is not None:
            return 0, True, [], f"{problem}: `dailypapers search` does it once, then reload this page"
        try:
            count, complete = reader.store.count_matching(node)
            return count, complete, reader.store.search(node, limit=limit), None
        except StoreError as err:
            return 0, True, [], str(err).splitlines()[0]


def preview_of(reader: Reader, text: str) -> Preview | None:
    """The preview of ``text``, or None for an empty query."""
    text = text.strip()
    if not text:
        return None
    try:
        node = checked_query(text)
    except QuerySyntaxError as err:
        return Preview(text, error=str(err))
    warnings = tuple(str(warning) for warning in lint(text))
    count, complete, papers, problem = archive_answer(reader, node, SHOWN)
    return Preview(text, None, warnings, count, complete, tuple(map(compact, papers)), problem)


@dataclass(frozen=True)
class TopicRow:
    """A topic of the config as the page lists it."""

    name: str
    source: str
    by_name: bool
    total: int
    plot: Plot
    note: str | None


def topic_rows(reader: Reader) -> list[TopicRow]:
    """The config's topics with their totals and plots. A plot ends with the week of the latest run (today's
    for a daily archive): an archive no run has added to for months still shows its last half year."""
    with reader.lock, database_errors(reader.store.path):
        reader.refresh()
        run = reader.store.last_successful_run()
        today = (run.finished or run.started if run else reader.env.now()).astimezone(UTC).date()
        known = reader.store.topics()
        totals = reader.store.matched_papers()
        weekly = reader.store.weekly_matches(first_week(today))
    rows = []
    for topic in reader.env.config.topics:
        note = None
        if topic.name not in known:
            note = "new: the next run back-fills it"
        elif known[topic.name] != topic.source:
            note = "query changed: the next run matches it again"
        plot = weekly_plot(weekly.get(topic.name, {}), today)
        rows.append(TopicRow(topic.name, topic.source, topic.query_text is None, totals.get(topic.name, 0), plot, note))
    return rows


@dataclass
class Form:
    """The editor's fields and what the last attempt to save them said."""

    name: str = ""
    query: str = ""
    error: str | None = None
    exists: TopicExists | None = None
    saved: str | None = None
    preview: Preview | None = field(default=None)


def topics_page(request: Request, form: Form, status: int = 200) -> Response:
    reader: Reader = request.app.state.reader
    rows = topic_rows(reader)
    if form.saved is not None and not any(same_name(row.name, form.saved) for row in rows):
        form.saved = None  # a link that says a topic was saved when the config has none such says nothing
    return reader.page(request, "topics.html.j2", status, rows=rows, form=form)


async def topics(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    params = request.query_params
    if TOKEN_FIELD in params:  # the editor's Preview without JavaScript sends the form's token: keep it off the URL
        kept = [(key, value) for key, value in params.multi_items() if key != TOKEN_FIELD]
        return RedirectResponse(f"/topics?{urlencode(kept)}#new-topic", 303)
    form = Form(params.get("name", "")[:MAX_QUERY], params.get("q", "")[:MAX_QUERY], saved=params.get("saved"))
    form.preview = preview_of(reader, form.query)
    return topics_page(request, form)


async def preview(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    shown = preview_of(reader, request.query_params.get("q", ""))
    return reader.page(request, "_topic_preview.html.j2", preview=shown)


@guarded
async def save(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    data = await request.form(max_files=0, max_fields=20)
    values = {key: data.get(key) for key in ("name", "q", "replace")}
    name, query = (value if isinstance(value, str) else "" for value in (values["name"], values["q"]))
    form = Form(name, query)
    try:
        with reader.lock:
            add_topic(
                reader.env.config.path, name, query, replace=values["replace"] == "yes", environ=reader.env.environ
            )
            reader.refresh()
    except TopicExists as err:
        form.exists = err
        return topics_page(request, form, 409)
    except DailyPapersError as err:
        form.error = without_file(err)
        form.preview = preview_of(reader, query)
        return topics_page(request, form, 400)
    return RedirectResponse("/topics?" + urlencode({"saved": name.strip()}), 303)


def without_file(err: DailyPapersError) -> str:
    """The error without the config's path in front (the page says which file it edits)."""
    text = str(err)
    path = getattr(err, "file", None) or getattr(err, "path", None)
    return text[len(path) + 2 :] if isinstance(path, str) and text.startswith(f"{path}: ") else text


ROUTES = [
    Route("/topics", topics, methods=["GET"]),
    Route("/topics", save, methods=["POST"]),
    Route("/topics/preview", preview, methods=["GET"]),
]
