"""Record and replay: every answer a run receives saved as a file, and a run answered from such files.

A recording is a user feature (``run --record``/``--replay``: reproduce a past day offline), not only a test
fixture. Requests are identified by path and sorted parameters, not host, so a recording made against a
mirror replays against arXiv's address and the other way round.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from dailypapers.errors import FetchError
from dailypapers.http.wire import Answer


def request_key(url: str, params: Mapping[str, str]) -> str:
    """The identity of a request for record/replay: its path and sorted parameters, not its host."""
    return f"{urlsplit(url).path}?{urlencode(sorted(params.items()))}"


@dataclass
class Recorder:
    """Saves every answer a run receives, one JSON file each, in the order received."""

    folder: Path
    count: int = 0

    def start(self, now: str) -> None:
        """Begin, or go on with, a recording: later runs add their answers after the earlier ones."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = len(list(self.folder.glob("answer-*.json")))
        meta = self.folder / "recording.json"
        if not meta.exists():
            meta.write_text(json.dumps({"now": now}) + "\n", encoding="utf-8")

    def save(self, key: str, answer: Answer) -> None:
        self.count += 1
        record = {
            "key": key,
            "url": answer.url,
            "status": answer.status,
            "headers": dict(answer.headers),
            "body": base64.b64encode(answer.body).decode("ascii"),
        }
        path = self.folder / f"answer-{self.count:04d}.json"
        path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


@dataclass
class Replay:
    """Answers requests from a recorded folder: per request, the recorded answers in order, the last repeating."""

    folder: Path
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    now: str | None = None

    @classmethod
    def load(cls, folder: Path) -> Replay:
        if not folder.is_dir():
            raise FetchError(str(folder), 0, None, "no such replay folder")
        replay = cls(folder)
        meta = folder / "recording.json"
        if meta.exists():
            replay.now = json.loads(meta.read_text(encoding="utf-8")).get("now")
        for path in sorted(folder.glob("answer-*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            answer = Answer(record["url"], record["status"], record["headers"], base64.b64decode(record["body"]))
            replay.answers.setdefault(record["key"], []).append(answer)
        return replay

    def answer(self, url: str, key: str) -> Answer:
        queue = self.answers.get(key)
        if not queue:
            raise FetchError(url, 0, None, f"not in the replay folder {self.folder}")
        return queue.pop(0) if len(queue) > 1 else queue[0]
