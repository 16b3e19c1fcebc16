"""Product usage over time: activation and retention patterns, as (time, user, feature) event columns.

A user's daily intensity is `level * weekly_decay ** weeks_since_signup`, lower on weekends, higher once
activated, zero after the user stops (or the account churns). A day is active with a probability rising
with that intensity, and active days share the events in proportion to it. Before activation only
prospecting and enrichment features are used; the activation is an explicit first `sequences` /
`email_send` event.
"""

from dataclasses import dataclass

import numpy as np

from .activity_types import Actor
from .features import NOT_IN_PLAN, feature_probabilities
from .taxonomy import FEATURES
from .timeutil import DAY, WEEK

_ACTIVE_BOOST = 1.6
_DAY_ACTIVE = 0.4  # a day of intensity 1 has some activity with probability 1 - exp(-0.4)


def _cells(actors: list[Actor], start: float, end: float) -> tuple[np.ndarray, ...]:
    """(actor, day start, window lo, window hi, weight) for every user-day overlapping [start, end)."""
    parts = []
    for i, a in enumerate(actors):
        lo, hi = max(start, a.created), min(end, a.stops)
        if hi <= lo:
            continue
        days = np.arange(np.floor(lo / DAY), np.ceil(hi / DAY)) * DAY
        cell_lo, cell_hi = np.maximum(days, lo), np.minimum(days + DAY, hi)
        weekend = ((days // DAY + 3) % 7) >= 5  # 1970-01-01 was a Thursday
        weight = a.level * a.weekly_decay ** ((days - a.created).clip(0) / WEEK) * (cell_hi - cell_lo) / DAY
        weight *= np.where(weekend, 0.25, 1.0) * np.where(days >= a.activation, _ACTIVE_BOOST, 1.0)
        parts.append((np.full(len(days), i), days, cell_lo, cell_hi, weight))
    if not parts:
        return tuple(np.empty(0) for _ in range(5))
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def _features(actors: list[Actor], who: np.ndarray, ts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each event's feature, as an index into FEATURES."""
    codes = np.empty(len(ts), dtype=int)
    activation = np.array([a.activation for a in actors] or [0.0])[who]
    plans = np.array([a.plan for a in actors] or [""])[who]
    for plan in NOT_IN_PLAN:
        for activated in (False, True):
            mask = (plans == plan) & ((ts >= activation) == activated)
            feature_codes, p = feature_probabilities(plan, activated)
            codes[mask] = rng.choice(feature_codes, size=int(mask.sum()), p=p)
    return codes


@dataclass(frozen=True)
class UsageEvents:
    """Events as columns, time-ordered: epoch milliseconds, actor index, feature index (into FEATURES)."""

    ms: np.ndarray
    who: np.ndarray
    feature: np.ndarray

    def __len__(self) -> int:
        return len(self.ms)

    def last_of_each_actor(self) -> dict[int, int]:
        """actor index -> epoch ms of that actor's last event."""
        actors, last_from_end = np.unique(self.who[::-1], return_index=True)
        return dict(zip(actors.tolist(), self.ms[len(self.ms) - 1 - last_from_end].tolist(), strict=True))


_ACTIVATION_FEATURES = (FEATURES.index("sequences"), FEATURES.index("email_send"))


def simulate_usage(
    actors: list[Actor],
    start: float,
    end: float,
    rng: np.random.Generator,
    *,
    total: int | None = None,
    rate: float = 0.0,
) -> tuple[UsageEvents, float]:
    """Events in [start, end), ordered by (time, actor), and the events/weight rate.

    With `total`, exactly that many activity events (plus activations) and the rate is derived from it;
    otherwise the count is Poisson with the given rate, so later backups keep the first one's intensity.
    """
    who, days, lo, hi, weight = _cells(actors, start, end)
    weight = np.where(rng.random(len(weight)) < 1 - np.exp(-_DAY_ACTIVE * weight), weight, 0.0)
    if total is not None and weight.sum() > 0:
        rate, counts = total / weight.sum(), rng.multinomial(total, weight / weight.sum())
    else:
        counts = rng.poisson(rate * weight)
    who, days, lo, hi = (np.repeat(x, counts) for x in (who, days, lo, hi))
    who = who.astype(np.int64)
    # Most activity happens in working hours; partial days at the backup boundary are filled uniformly.
    hour = days + np.clip(rng.normal(14.5 * 3600, 3.5 * 3600, len(days)), 0, DAY - 1)
    ts = np.where((hour >= lo) & (hour < hi), hour, lo + rng.random(len(lo)) * (hi - lo))
    ms, features = np.floor(ts * 1000).astype(np.int64), _features(actors, who, ts, rng)
    activations = [
        (int(a.activation * 1000), i, _ACTIVATION_FEATURES[0] if rng.random() < 0.6 else _ACTIVATION_FEATURES[1])
        for i, a in enumerate(actors)
        if start <= a.activation < end and a.activation < a.stops
    ]
    if activations:
        extra = np.array(activations, dtype=np.int64).reshape(-1, 3)
        ms, who, features = (np.concatenate([x, extra[:, c]]) for c, x in enumerate((ms, who, features)))
    order = np.lexsort((who, ms))  # stable: events at the same time and actor keep their order
    return UsageEvents(ms[order], who[order], features[order].astype(np.int16)), rate
