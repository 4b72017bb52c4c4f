"""Calibration targets: what the documents say happened to the alignments, as checks.

Each target (in ``calibration/targets.yaml``) compares a metric at a date with another
metric point or a number: ``lhs > rhs + margin`` or ``lhs < rhs − margin``. Orderings at a
date, rises and falls between dates, and signs are all of this form. Each cites its
document and a verbatim quote. A target's violation is the hinge
``max(0, margin − (lhs − rhs))`` (for ">"; mirrored for "<"), in the metric's units.
A target of weight 0 is kept for the record: it is scored and reported like the others but
not counted in the loss; at least one target of a file must have a positive weight.

A metric "at a date" is read from the first recorded state on or after that date, so it
includes the events of that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, ValidationError

from sim.core import metrics
from sim.core.errors import InputError, where
from sim.io.schema import Strict, describe_error, dotted, line_of, read_yaml

Metric = Literal[
    "alignment", "hedging_index", "dependence", "effective_partners", "share", "protocol_rank"
]


class Point(Strict):
    """A metric's value for some actors at a date."""

    date: dt.date
    source: str | None = Field(None, description="alignment, protocol_rank: the row actor")
    target: str | None = Field(None, description="alignment, protocol_rank: the column actor")
    actor: str | None = Field(
        None, description="hedging_index, dependence, effective_partners, share: the actor"
    )
    partner: str | None = Field(None, description="share: the partner")


class TargetSpec(Strict):
    """One checkable statement from a document."""

    id: str
    claim: str
    metric: Metric
    lhs: Point
    comparison: Literal[">", "<"]
    rhs: Point | float
    margin: float = Field(0.0, ge=0.0)
    weight: float = Field(
        1.0, ge=0.0, description="relative weight in the loss; 0 keeps it reported, not counted"
    )
    doc: str
    quote: str = Field(min_length=1)


class TargetsFile(Strict):
    """The targets file."""

    targets: tuple[TargetSpec, ...] = Field(min_length=1)


ROLES: dict[str, tuple[str, ...]] = {
    "alignment": ("source", "target"),
    "protocol_rank": ("source", "target"),
    "hedging_index": ("actor",),
    "dependence": ("actor",),
    "effective_partners": ("actor",),
    "share": ("actor", "partner"),
}


@dataclass(frozen=True)
class Target:
    """A validated target, with actor indices resolved.

    Attributes:
        spec: the target as written.
        lhs, rhs: (actor indices, date) of each side; rhs is None when it is a number.
    """

    spec: TargetSpec
    lhs: tuple[tuple[int, ...], dt.date]
    rhs: tuple[tuple[int, ...], dt.date] | None

    @property
    def dates(self) -> list[dt.date]:
        """The dates the target reads."""
        return [self.lhs[1]] + ([self.rhs[1]] if self.rhs else [])


def load_targets(path: Path, actors: Sequence[str], start: dt.date, end: dt.date) -> list[Target]:
    """Read and validate a targets file against a scenario's actors and dates.

    Raises:
        InputError: with the file, line and field of the first problem.
    """
    data, node = read_yaml(path)
    try:
        parsed = TargetsFile.model_validate(data)
    except ValidationError as exc:
        loc, message = describe_error(exc)
        raise InputError(f"{where(path, line_of(node, loc), dotted(loc))}: {message}") from None
    ids = [t.id for t in parsed.targets]
    for i, target_id in enumerate(ids):
        if target_id in ids[:i]:
            raise InputError(
                f"{where(path, line_of(node, ('targets', i, 'id')), 'id')}: "
                f"duplicate target id '{target_id}'"
            )
    if not any(t.weight > 0 for t in parsed.targets):
        raise InputError(
            f"{path}: every target has weight 0; at least one must have a positive weight"
        )
    index = {a: i for i, a in enumerate(actors)}
    targets = []
    for i, spec in enumerate(parsed.targets):
        place = lambda side, i=i: where(  # noqa: E731
            path, line_of(node, ("targets", i, side)), f"targets[{i}].{side}"
        )
        lhs = resolve_point(spec.lhs, spec.metric, index, start, end, place("lhs"))
        rhs = (
            resolve_point(spec.rhs, spec.metric, index, start, end, place("rhs"))
            if isinstance(spec.rhs, Point)
            else None
        )
        targets.append(Target(spec, lhs, rhs))
    return targets


def resolve_point(
    point: Point, metric: str, index: dict[str, int], start: dt.date, end: dt.date, place: str
) -> tuple[tuple[int, ...], dt.date]:
    """Actor indices and date of a point, checked against the scenario."""
    roles = ROLES[metric]
    given = {r for r in ("source", "target", "actor", "partner") if getattr(point, r)}
    if given != set(roles):
        raise InputError(
            f"{place}: metric {metric} needs {' and '.join(roles)}; got "
            f"{', '.join(sorted(given)) or 'none'}"
        )
    ids = [getattr(point, r) for r in roles]
    unknown = [a for a in ids if a not in index]
    if unknown:
        raise InputError(f"{place}: unknown actor '{unknown[0]}'; actors: {', '.join(index)}")
    if len(set(ids)) != len(ids):
        raise InputError(f"{place}: the two actors of a point must differ")
    if not start <= point.date <= end:
        raise InputError(f"{place}: date {point.date} is outside the scenario ({start} to {end})")
    return tuple(index[a] for a in ids), point.date


def step_index(dates: np.ndarray, when: dt.date) -> int:
    """Index of the first recorded date on or after `when`."""
    return int(np.searchsorted(dates, np.datetime64(when, "D"), side="left"))


def needed_steps(targets: Sequence[Target], dates: np.ndarray) -> list[int]:
    """The step indices the targets read, sorted and unique."""
    return sorted({step_index(dates, d) for t in targets for d in t.dates})


def point_value(
    history: np.ndarray,
    steps: Sequence[int],
    metric: str,
    actors: tuple[int, ...],
    k: int,
    capability: np.ndarray,
) -> np.ndarray:
    """A metric's value per run, from a history kept at `steps` ([R, len(steps), N, N])."""
    return metric_value(history[:, list(steps).index(k)], metric, actors, capability)


def metric_value(
    A: np.ndarray, metric: str, actors: tuple[int, ...], capability: np.ndarray
) -> np.ndarray:
    """A metric's value from alignments [R, ..., N, N]: per run, and per step of a history.

    The portfolio measures are those of `sim.core.metrics`; an actor with no patron counts
    as not hedging (index 0), one with no positive tie as fully dependent (1) and with no
    partner (0), so that every claim about it has a value.
    """
    if metric == "alignment":
        return A[..., actors[0], actors[1]]
    if metric == "protocol_rank":
        return metrics.protocol_rank(A)[..., actors[0], actors[1]].astype(float)
    rows = A[..., actors[0], :]
    if metric == "hedging_index":
        return np.nan_to_num(metrics.patron_balance(rows, capability, actors[0]), nan=0.0)
    shares = metrics.shares_of(rows)
    if metric == "share":
        return shares[..., actors[1]]
    if metric == "dependence":
        return np.nan_to_num(metrics.dependence(shares), nan=1.0)
    return np.nan_to_num(metrics.effective_partners(shares), nan=0.0)


def violations(
    targets: Sequence[Target],
    history: np.ndarray,
    steps: Sequence[int],
    dates: np.ndarray,
    capability: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hinge violation of every target in every run.

    Returns:
        (violation, lhs, rhs), each [R, T].
    """
    columns: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for t in targets:
        s = t.spec
        lhs = point_value(
            history, steps, s.metric, t.lhs[0], step_index(dates, t.lhs[1]), capability
        )
        rhs = (
            np.full_like(lhs, s.rhs)
            if isinstance(s.rhs, float) or t.rhs is None
            else point_value(
                history, steps, s.metric, t.rhs[0], step_index(dates, t.rhs[1]), capability
            )
        )
        gap = lhs - rhs if s.comparison == ">" else rhs - lhs
        columns.append((np.maximum(0.0, s.margin - gap), lhs, rhs))
    stacked = [np.stack(c, axis=1) for c in zip(*columns, strict=True)]
    return stacked[0], stacked[1], stacked[2]


def weights(targets: Sequence[Target]) -> np.ndarray:
    """Target weights, normalised to sum to 1 over the positive ones (weight-0 targets get 0).

    Raises:
        InputError: no target has a positive weight (e.g. a holdout's early targets).
    """
    w = np.array([t.spec.weight for t in targets], dtype=float)
    total = w.sum()
    if not total > 0:
        raise InputError(
            f"none of these {len(w)} targets has a positive weight; the loss needs at least one"
        )
    return w / total
