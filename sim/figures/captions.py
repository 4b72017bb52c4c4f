"""What each figure shows, in a sentence or two: the captions under the figures of a report.

A caption is found from the figure's file stem (``alignment_PRK``, ``bands``,
``heatmap_final_hedging_index``) and the manifest of the folder it was drawn from (a sweep's
plan for a sweep's figures), so it names the scenario's actors and the run's settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sim.figures.sweeps import label, names_of

Manifest = dict[str, Any]


def actor_name(manifest: Manifest, actor: str) -> str:
    """An actor's display name from a run's manifest (its id if not listed)."""
    return next((a["name"] for a in manifest.get("actors", []) if a["id"] == actor), actor)


def alignment(manifest: Manifest, actor: str) -> str:
    """A run's alignment figure of `actor`."""
    name = actor_name(manifest, actor)
    return (
        f"How {name} stands toward each partner over time (−1 hostile … +1 aligned), "
        f"and below, the events that moved these alignments: who acted on whom and when."
    )


def hedging(manifest: Manifest, _: str) -> str:
    """A run's hedging figure."""
    return (
        "Each actor's hedging index (the balance of its ties to its two patrons, 0..1) and "
        "its dependence (its largest partner's share of its positive ties) over time."
    )


def fan(manifest: Manifest, actor: str) -> str:
    """A run's fan over replicates of `actor`'s alignments."""
    name = actor_name(manifest, actor)
    return (
        f"How {name} stands toward each partner over many replicates of the run (seeds "
        f"spawned from its seed): the median line, and bands holding the middle 50% and 90% "
        f"of the runs."
    )


def network(manifest: Manifest, day: str) -> str:
    """A run's network snapshot."""
    return (
        f"The alignment network on {day}: the ties from each actor toward the others, "
        f"positive and negative, drawn by their strength."
    )


def run_heatmap(manifest: Manifest, day: str) -> str:
    """A run's alignment matrix."""
    return (
        f"The alignment matrix on {day}: each row actor's alignment toward each column "
        f"actor, from −1 (red, hostile) to +1 (blue, aligned)."
    )


def bands(manifest: Manifest, _: str) -> str:
    """A comparison's bands over time."""
    return (
        f"{manifest['label']} over time, one panel per what-if: its median and 5–95% band "
        f"over {manifest['replicates']} replicates against the base's "
        f"({manifest['base']['label']}, black), on common random numbers; dotted lines mark "
        f"the what-if's hypothetical events."
    )


def differences(manifest: Manifest, _: str) -> str:
    """A comparison's differences."""
    return (
        f"Each what-if minus the base in {manifest['label']}, replicate by replicate (dots, "
        f"{manifest['replicates']} each), with the mean difference and its 95% t-interval."
    )


def targets(manifest: Manifest, _: str) -> str:
    """A calibration's targets at the best fit."""
    return (
        f"Each of the {manifest.get('targets', 'documents')} targets' claims in words, with "
        f"the model's series at the best fit (median and 5–95% band over "
        f"{manifest.get('replicates', 'the')} replicates) and the dates the claim reads; a "
        f"change over time is one series read on two dates (hollow: before, filled: after)."
    )


def parameters(manifest: Manifest, _: str) -> str:
    """A calibration's fitted parameters."""
    return (
        f"Each fitted parameter's best value (dot) and its range over the plateau of "
        f"{manifest.get('plateau_size', 'the')} evaluated vectors within ε = "
        f"{manifest.get('epsilon', 0):g} of the best loss (bar), on its allowed range."
    )


def indices(manifest: Manifest, _: str) -> str:
    """A sensitivity analysis's indices."""
    what = (
        "first-order and total Sobol' indices (shares of the outcome's variance)"
        if manifest["method"] == "sobol"
        else "Morris μ* (mean absolute elementary effect) and σ (interactions)"
    )
    return (
        f"How much the {label(manifest['outcome'], manifest)} depends on each parameter: "
        f"{what}, with 95% "
        f"intervals, from {manifest['runs']} model runs over the parameters' registry ranges."
    )


def posterior(manifest: Manifest, _: str) -> str:
    """A posterior's parameters."""
    return (
        "Each parameter's posterior (weighted histogram of the ABC draws) over its flat prior, "
        "with the posterior median and 90% interval; shrinkage says how much the evidence "
        "narrowed it."
    )


def predictive(manifest: Manifest, _: str) -> str:
    """A posterior's predictive check."""
    return (
        "For each target, the probability that its claim holds in a run drawn from the prior "
        "and from the posterior."
    )


def sbc(manifest: Manifest, _: str) -> str:
    """A simulation-based calibration."""
    return (
        f"For each parameter, the rank of the true value in its posterior over "
        f"{manifest.get('datasets', 'the')} synthetic datasets, as the rank ECDF minus the "
        f"uniform CDF, inside a simultaneous 95% band when the inference is calibrated."
    )


def sweep_heatmap(plan: Manifest, outcome: str) -> str:
    """A sweep's heat map."""
    x, y = (v["name"] for v in plan["vary"][:2])
    return (
        f"The mean {label(outcome, plan)} over {plan['replicates']} replicates at each design "
        f"point of {names_of(plan)[0]}, by {x} and {y}; the colour bar says how wide its "
        f"scale is, never narrower than the noise of a cell mean."
    )


def envelopes(plan: Manifest, variable: str) -> str:
    """A sweep's envelopes."""
    return (
        f"{label(variable, plan).capitalize()} over time at the design points named in the "
        f"title (choose them with `alignsim plot --points`): median and 5–95% band over "
        f"{plan['replicates']} replicates."
    )


def scatter(plan: Manifest, outcome: str) -> str:
    """A sweep's scatter plots."""
    return (
        f"The {label(outcome, plan)} of every run against each varied parameter, with the "
        f"mean at each value."
    )


#: File stems and what their figures show; the first pattern that matches gives the caption
#: (its group: the actor, date, outcome or variable).
CAPTIONS: list[tuple[str, Callable[[Manifest, str], str]]] = [
    (r"alignment_(.+)", alignment),
    (r"fan_(.+)", fan),
    (r"(hedging)", hedging),
    (r"network_(.+)", network),
    (r"heatmap_(\d{4}-\d{2}-\d{2})", run_heatmap),
    (r"heatmap_(.+)", sweep_heatmap),
    (r"envelopes_(.+)", envelopes),
    (r"scatter_(.+)", scatter),
    (r"(bands)", bands),
    (r"(differences)", differences),
    (r"(targets)", targets),
    (r"(parameters)", parameters),
    (r"(indices)", indices),
    (r"(posterior)", posterior),
    (r"(predictive)", predictive),
    (r"(sbc)", sbc),
]


def caption(stem: str, manifest: Manifest) -> str:
    """What the figure of file stem `stem` shows, given its folder's manifest (or plan)."""
    for pattern, words in CAPTIONS:
        found = re.fullmatch(pattern, stem)
        if found:
            try:
                return words(manifest, found.group(1))
            except (KeyError, TypeError, ValueError):  # a folder from before these entries
                return stem.replace("_", " ")
    return stem.replace("_", " ")
