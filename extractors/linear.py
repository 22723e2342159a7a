"""A logistic model over named features, stored as plain JSON weights (no pickles, no library needed to apply)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

FIELD_MODELS = ("price_usd", "capacity_mw", "country", "buyer", "seller")
MODEL_NAMES = ("keep", *FIELD_MODELS)


@dataclass
class LinearModel:
    """P(yes | features) = sigmoid(sum of weight x value); below `threshold` the answer is no."""

    weights: dict[str, float] = field(default_factory=dict)
    threshold: float = 0.5

    def score(self, features: dict[str, float]) -> float:
        return sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def probability(self, features: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.score(features)))))


@dataclass
class DealModels:
    """The learned decisions of one extractor version: keep a candidate deal, choose each field's value."""

    version: str
    models: dict[str, LinearModel]
    trained_on: dict = field(default_factory=dict)  # corpus, documents, seed: how to reproduce the weights

    def __getitem__(self, name: str) -> LinearModel:
        return self.models[name]

    def save(self, path: Path) -> None:
        data = {"version": self.version, "trained_on": self.trained_on,
                "models": {name: {"threshold": m.threshold,
                                  "weights": {k: round(v, 5) for k, v in sorted(m.weights.items()) if abs(v) > 1e-6}}
                           for name, m in self.models.items()}}
        path.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> DealModels:
        """The models in a weights file; ValueError naming the file when it is not one."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            version, stored = data["version"], data["models"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: not a deal models file ({exc!r}); retrain with `minewire train`") from exc
        models = {}
        for name, m in stored.items():
            if not isinstance(m, dict) or not isinstance(m.get("weights"), dict):
                raise ValueError(f"{path}: model {name!r} has no weights; retrain with `minewire train`")
            models[name] = LinearModel(m["weights"], m.get("threshold", 0.5))
        unknown = set(models) - set(MODEL_NAMES)
        if unknown:
            raise ValueError(f"{path}: unknown deal models {sorted(unknown)}; retrain with `minewire train`")
        return cls(version, models, data.get("trained_on", {}))
