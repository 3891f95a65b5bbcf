"""Saving and loading the denial model safely: skops files with a model card and a content hash beside them.

Loading refuses a model built by another scikit-learn version (the card says which), a file whose bytes no
longer match the card's hash, and any object type outside scikit-learn, NumPy and SciPy.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy
import pandas  # type: ignore[import-untyped,unused-ignore]
import sklearn
import skops
import skops.io

from rcm.denials.features import BAG_COLUMNS, CATEGORICAL_COLUMNS, NUMERIC_COLUMNS, RATE_WINDOW_DAYS
from rcm.denials.metrics import REVIEW_BUDGET
from rcm.denials.model import TrainedModel
from rcm.errors import ConfigError

__all__ = ["LoadedModel", "ModelCompatibilityError", "load_model", "model_card", "save_model"]

_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.")


class ModelCompatibilityError(ConfigError):
    """A saved model cannot be used here: other scikit-learn version, altered file, or unexpected types."""


@dataclass(slots=True)
class LoadedModel:
    estimator: Any
    card: dict[str, Any]
    path: Path

    @property
    def version(self) -> str:
        return str(self.card["version"])

    @property
    def threshold(self) -> float:
        return float(self.card["threshold"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def model_card(trained: TrainedModel, *, version: str, trained_at: datetime) -> dict[str, Any]:
    """The card that travels with a model: versions, windows, data hash, features, metrics, threshold."""
    return {
        "version": version,
        "trained_at": trained_at.isoformat(),
        "estimator": "HistGradientBoostingClassifier (class_weight=balanced) + isotonic/sigmoid calibration",
        "versions": {
            "python": platform.python_version(),
            "sklearn": sklearn.__version__,
            "numpy": numpy.__version__,
            "pandas": pandas.__version__,
            "skops": skops.__version__,
        },
        "training_window": {"start": trained.training_window[0].isoformat(),
                            "end": trained.training_window[1].isoformat()},
        "holdout_window": {"start": trained.holdout_window[0].isoformat(),
                           "end": trained.holdout_window[1].isoformat()},
        "rows": trained.rows,
        "data_hash": trained.data_hash,
        "random_state": trained.random_state,
        "features": {
            "categorical": list(CATEGORICAL_COLUMNS),
            "bags": list(BAG_COLUMNS),
            "numeric": list(NUMERIC_COLUMNS),
            "history_window_days": RATE_WINDOW_DAYS,
        },
        "metrics": trained.metrics,
        "threshold": trained.threshold,
        "review_budget": REVIEW_BUDGET,
        "label": "denied on first adjudication (claim status 4, or any line denied with a non-contractual CARC)",
    }


def save_model(trained: TrainedModel, models_dir: Path, *, now: datetime | None = None) -> LoadedModel:
    """Write ``denials-<version>.skops`` and its ``.card.json`` into ``models_dir``; returns them loaded."""
    at = now or datetime.now(UTC)
    version = f"{at:%Y%m%dT%H%M%S}-{trained.data_hash[:8]}"
    models_dir.mkdir(parents=True, exist_ok=True)
    path = models_dir / f"denials-{version}.skops"
    skops.io.dump(trained.estimator, path)
    card = model_card(trained, version=version, trained_at=at)
    card["model_file"] = path.name
    card["model_sha256"] = _sha256(path)
    card_path(path).write_text(json.dumps(card, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return LoadedModel(trained.estimator, card, path)


def card_path(model_path: Path) -> Path:
    return model_path.with_suffix(".card.json")


def load_model(model_path: Path) -> LoadedModel:
    """Load a saved model after checking its card: same scikit-learn version, same bytes, trusted types only."""
    cpath = card_path(model_path)
    if not model_path.exists() or not cpath.exists():
        raise ModelCompatibilityError(f"{model_path}: the model file or its card (.card.json) is missing")
    card = json.loads(cpath.read_text(encoding="utf-8"))
    built_with = card.get("versions", {}).get("sklearn")
    if built_with != sklearn.__version__:
        raise ModelCompatibilityError(
            f"{model_path}: built with scikit-learn {built_with}, this installation has {sklearn.__version__}; "
            "loading across versions is refused. Retrain with `rcm denials train`."
        )
    if _sha256(model_path) != card.get("model_sha256"):
        raise ModelCompatibilityError(f"{model_path}: the file's content hash does not match its card")
    untrusted = skops.io.get_untrusted_types(file=model_path)
    refused = [t for t in untrusted if not t.startswith(_TRUSTED_PREFIXES)]
    if refused:
        raise ModelCompatibilityError(f"{model_path}: holds object types outside scikit-learn/NumPy: {refused}")
    estimator = skops.io.load(model_path, trusted=untrusted)
    return LoadedModel(estimator, card, model_path)
