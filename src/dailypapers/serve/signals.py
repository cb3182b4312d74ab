"""``POST /papers/{id}/{signal}``: the card's buttons (star, unstar, dismiss, undismiss, read).

Each is guarded (``guard.guarded``): it runs only for a POST from the reader's own page. It records the signal
with ``Store.record_signals`` at the environment's clock, then answers htmx with the card's button bar, or a plain
form with a 303 back to the card on the page it came from (only a path of this reader). A run writing the archive
at that moment is a 503 the page can show ("try again"); nothing is half-written.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from dailypapers.errors import DailyPapersError, StoreError, UnknownPaperError
from dailypapers.model import Signal
from dailypapers.serve import convertors  # noqa: F401 - registers the URL convertors the routes name
from dailypapers.serve.cards import card_anchor
from dailypapers.serve.guard import guarded
from dailypapers.serve.reader import Reader, is_htmx, local_path
from dailypapers.store import database_errors
from dailypapers.store.signals import PaperSignals

BUSY = "a run is writing the archive; try again in a moment\n"


def _record(reader: Reader, paper_id: str, signal: Signal) -> PaperSignals:
    """Record the signal and return the paper's state after it."""
    with reader.lock, database_errors(reader.store.path, reader.env.config.busy_timeout):
        reader.store.record_signals(signal, [(paper_id, None)], reader.env.now())
        return reader.store.signal_states([paper_id]).get(paper_id, PaperSignals(paper_id))


@guarded
async def give_signal(request: Request) -> Response:
    reader: Reader = request.app.state.reader
    paper_id, name = request.path_params["paper_id"], request.path_params["signal"]
    try:
        state = _record(reader, paper_id, Signal(name))
    except UnknownPaperError:
        return PlainTextResponse(f"{paper_id} is not in the archive\n", 404)
    except StoreError:
        return PlainTextResponse(BUSY, 503)
    except DailyPapersError as err:
        return PlainTextResponse(f"{str(err).splitlines()[0]}\n", 503)
    if is_htmx(request):
        return reader.page(request, "_actions.html.j2", paper_id=paper_id, state=state)
    return RedirectResponse(await _back(request, paper_id), 303)


async def _back(request: Request, paper_id: str) -> str:
    """Where a plain form comes back to: the page it names (``next``) when it is a path of this reader, else the
    inbox; at the paper's card."""
    form = await request.form(max_files=0, max_fields=20)
    named = form.get("next")
    path = local_path(named) if isinstance(named, str) else None
    return f"{path or '/'}#{card_anchor(paper_id)}"


ROUTES = [Route("/papers/{paper_id:arxiv}/{signal:signal}", give_signal, methods=["POST"])]
