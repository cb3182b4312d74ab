"""The trained model, kept beside the database until the archive, the signals or the library change.

Training reads and analyses thousands of papers; scoring a day's candidates needs only the model. So the model is
saved after training in ``<database>.rank.npz``: plain arrays (NumPy's format, read with ``allow_pickle=False``,
so the file can hold no code), with the key of the state it was trained on (``key``). A command finding the same
key uses it; any other key, a damaged file or a file of another version means training again. The file is
written atomically with the umask's mode (``files.py``), like every output.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

from dailypapers.files import publish, stage
from dailypapers.rank.features import Vectoriser
from dailypapers.rank.model import Example, Model

FORMAT = 1  # raised whenever the model or its features change, so an old cache is never read as a new one


def cache_path(database: Path) -> Path:
    return database.with_name(database.name + ".rank.npz")


def state_key(*parts: object) -> str:
    """A key for the state the model is trained on: the same parts, the same key."""
    text = json.dumps([FORMAT, *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def save_model(path: Path, key: str, model: Model) -> None:
    buffer = io.BytesIO()
    meta = [[e.key, e.title, e.reason, e.at.isoformat()] for e in model.positives]
    arrays = {
        "key": np.array(key),
        "terms": np.array(json.dumps(model.vectoriser.terms)),
        "idf": model.vectoriser.idf,
        "coef": model.coef,
        "intercept": np.array(model.intercept),
        "positives": np.array(json.dumps(meta)),
        **_sparse("positive", model.positive_rows),
        **_sparse("dismissed", model.dismissed_rows),
    }
    np.savez(buffer, allow_pickle=False, **arrays)
    publish({path: stage(path, buffer.getvalue())})


def load_model(path: Path, key: str | None) -> Model | None:
    """The model saved under ``key`` (under any key if None: the last one trained, for a reader to order by until
    a newer one is trained), or None (no file, another key, a damaged file)."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            if key is not None and str(saved["key"]) != key:
                return None
            terms = tuple(json.loads(str(saved["terms"])))
            positives = tuple(
                Example(k, title, "", reason, datetime.fromisoformat(at))
                for k, title, reason, at in json.loads(str(saved["positives"]))
            )
            return Model(
                vectoriser=Vectoriser(terms, saved["idf"]),
                coef=saved["coef"],
                intercept=float(saved["intercept"]),
                positives=positives,
                positive_rows=_matrix(saved, "positive"),
                dismissed_rows=_matrix(saved, "dismissed"),
            )
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile):
        return None


def _sparse(name: str, matrix: csr_matrix) -> dict[str, np.ndarray]:
    return {
        f"{name}_data": matrix.data,
        f"{name}_indices": matrix.indices,
        f"{name}_indptr": matrix.indptr,
        f"{name}_shape": np.array(matrix.shape),
    }


def _matrix(saved: np.lib.npyio.NpzFile, name: str) -> csr_matrix:
    shape = tuple(int(n) for n in saved[f"{name}_shape"])
    return csr_matrix((saved[f"{name}_data"], saved[f"{name}_indices"], saved[f"{name}_indptr"]), shape=shape)
