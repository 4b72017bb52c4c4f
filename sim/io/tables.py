"""The data dictionary: every table alignsim writes, each column's type and meaning, in
one place. `datapackage.json` (Frictionless Data, `sim.io.datapackage`) is made from it in
every output folder, and a test checks README's "Data dictionary" against it.

A column name may hold a placeholder for the columns of one kind: ``<ACTOR>`` an actor id,
``<PARAMETER>`` a parameter of the registry, ``<VARIANT>`` a model variant, ``<WIDTH>`` a
prior width. Types are Frictionless Table Schema types: string, integer, number, boolean,
date (stored as Arrow ``date32`` in Parquet, ISO text in CSV).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sim.core.params import REGISTRY

#: What each placeholder of a column name stands for, as a regular expression.
PLACEHOLDERS = {
    "<ACTOR>": r"[A-Za-z][A-Za-z0-9_]{0,31}",
    "<PARAMETER>": "|".join(sorted(REGISTRY, key=len, reverse=True)),
    "<VARIANT>": r"[a-z][a-z+-]*",
    "<WIDTH>": r"[0-9.]+",
}


@dataclass(frozen=True)
class Column:
    """A column (or, with a placeholder, a kind of column): its name, type and meaning."""

    name: str
    type: str
    description: str

    def matches(self, name: str) -> bool:
        """Whether a written column is this one (or of this kind)."""
        pattern = re.escape(self.name)
        for placeholder, meaning in PLACEHOLDERS.items():
            pattern = pattern.replace(re.escape(placeholder), f"(?:{meaning})")
        return re.fullmatch(pattern, name) is not None


@dataclass(frozen=True)
class Table:
    """A table: its file stem, what a row is, and its columns."""

    name: str
    description: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        """The description of a written column: its own, else the first kind it is of."""
        exact = [c for c in self.columns if c.name == name]
        return next(iter(exact or [c for c in self.columns if c.matches(name)]), None)


def table(name: str, description: str, *columns: tuple[str, str, str]) -> Table:
    """A `Table` from (name, type, description) triples."""
    return Table(name, description, tuple(Column(*c) for c in columns))


S, INT, N, B, D = "string", "integer", "number", "boolean", "date"
ID = ("id", S, "target id in the targets file")
CLAIM = ("claim", S, "the documents' claim, in words")
DOC = ("doc", S, "source document of the claim")
WEIGHT = ("weight", N, "weight of the target in the loss (0: reported, not counted)")
QUANTILES = tuple((f"q{q:02d}", N, f"{q}% quantile over replicates") for q in (5, 25, 50, 75, 95))
DRAW = ("<PARAMETER>", N, "the run's value of a free parameter, drawn from the uniform prior")

RUN = (
    table(
        "alignment",
        "one row per recorded date and ordered pair of actors",
        ("date", D, "date of the state (start, every step, end)"),
        ("source", S, "actor whose stance it is (row)"),
        ("target", S, "actor the stance is toward (column)"),
        ("value", N, "alignment, −1 (hostile) .. +1 (aligned)"),
        ("baseline", N, "long-run stance the alignment relaxes toward (moved by treaties)"),
        ("protocol_rank", INT, "rank of `target` in `source`'s order of honour, 1 = most honoured"),
    ),
    table(
        "metrics",
        "one row per date and actor",
        ("date", D, "date of the state"),
        ("actor", S, "actor the row describes"),
        (
            "hedging_index",
            N,
            "patron balance: min/max of the actor's ties to its two patrons (the two "
            "stronger actors giving it the most support, capability × positive tie); 1 = "
            "both equally close, 0 = one patron (a bandwagoner); NaN with no patron (the "
            "most capable actor, or no positive tie to a stronger one)",
        ),
        (
            "effective_partners",
            N,
            "1 / HHI of the actor's partner shares (its positive ties, normalised)",
        ),
        (
            "dependence",
            N,
            "largest partner share: the share of the actor's positive ties held by its "
            "closest partner; NaN without any positive tie",
        ),
        ("top_partner", S, "actor holding that share ('' when none)"),
        (
            "bloc",
            INT,
            "0 or 1: side of the leading eigenvector of (A + Aᵀ)/2; the first actor is "
            "always in bloc 0",
        ),
        ("frustration", N, "share of unbalanced triads (same for every actor on a date)"),
        (
            "landscape_energy",
            N,
            "Axelrod–Bennett energy of the bloc split (same for every actor on a date)",
        ),
    ),
    table(
        "events",
        "every event as applied, scripted and agent-initiated, one row per source–target pair",
        ("date", D, "date of the event (for an agent's action: the start of the step it acted in)"),
        (
            "applied_on",
            D,
            "date of the first recorded state that includes it (with `--record-every K`, a "
            "date of the alignment and metrics tables)",
        ),
        ("id", S, "event id (`agent-DATE-SOURCE-TARGET` for agents' actions)"),
        ("origin", S, "`scripted` (a scenario or table) or `agent`"),
        ("source", S, "actor id of the acting state"),
        ("target", S, "actor id of the state acted toward"),
        ("type", S, "taxonomy type"),
        ("cameo", S, "CAMEO code"),
        ("goldstein", N, "Goldstein weight (−10..10)"),
        ("magnitude", N, "scale of the act"),
        ("institutional", B, "whether it also moved the baseline"),
        ("impulse", N, "u = impulse · goldstein / 10 · magnitude"),
        ("doc", S, "source document"),
        ("quote", S, "verbatim supporting span"),
        ("note", S, "coder's note"),
        ("defined_in", S, "file the event was read from, relative to the scenario"),
    ),
)

POSTERIOR = (
    table(
        "posterior",
        "one row per kept prior run (weight at least 10⁻⁶ of the largest)",
        DRAW,
        ("weight", N, "posterior weight, summing to 1 over the rows (`--draw K` reads row K)"),
        (
            "claims_loglik",
            N,
            "log-probability of the documents' claims given the run (ODD.md §7.16)",
        ),
        ("seed", INT, "the run's seed"),
        (
            "vote_loglik",
            N,
            "with `--evidence unga|all`: log-likelihood of the 2018–2019 vote counts",
        ),
    ),
)

REPORTS = (
    Table(
        "draws",
        "the posterior's kept prior runs, as `posterior.parquet` beside the fit",
        POSTERIOR[0].columns,
    ),
    table(
        "parameters",
        "one row per free parameter: its prior and posterior",
        ("parameter", S, "parameter name (`alignsim params`)"),
        ("prior_low", N, "lower end of the uniform prior"),
        ("prior_high", N, "upper end of the uniform prior"),
        ("median", N, "posterior median"),
        ("q05", N, "posterior 5% quantile"),
        ("q95", N, "posterior 95% quantile"),
        ("shrinkage", N, "1 − posterior variance / prior variance"),
    ),
    table(
        "predictive",
        "one row per target: how often it holds before and after the evidence",
        ID,
        CLAIM,
        WEIGHT,
        ("prior", N, "share of prior runs in which the claim holds"),
        ("posterior", N, "posterior-weighted share of runs in which the claim holds"),
        DOC,
    ),
    table(
        "targets",
        "one row per target of a point fit",
        ID,
        CLAIM,
        ("metric", S, "what the claim compares (alignment, dependence, hedging index, ...)"),
        ("comparison", S, "the claim's comparison (above, below, between, ...)"),
        WEIGHT,
        ("satisfied_share", N, "share of replicates at the fit in which the claim holds"),
        ("lhs_mean", N, "mean over replicates of the claim's left side"),
        ("rhs_mean", N, "mean over replicates of the claim's right side"),
        DOC,
    ),
    table(
        "series",
        "each target's two sides at every recorded date, over replicates at the fit",
        ("target", S, "target id"),
        ("side", S, "`lhs` or `rhs`"),
        ("actors", S, "the side's actors joined by → ('' for a number)"),
        ("claim_date", D, "the date the claim reads the side (empty for a number)"),
        ("date", D, "recorded date"),
        ("q05", N, "5% quantile over replicates"),
        ("q50", N, "median over replicates"),
        ("q95", N, "95% quantile over replicates"),
    ),
    table(
        "plateau",
        "one row per evaluated parameter vector within --epsilon of the best loss",
        ("<PARAMETER>", N, "the vector's value of a fitted parameter"),
        ("loss", N, "weighted share of claims violated, averaged over replicates"),
    ),
    table(
        "projections",
        "one row per plateau member run to the end",
        ("member", INT, "plateau member (row of plateau.parquet)"),
        ("seed", INT, "the run's seed"),
        ("hedging_index", N, "the focal actor's hedging index at the end"),
        (
            "alignment_<ACTOR>_<ACTOR>",
            N,
            "alignment of the first actor toward the second at the end",
        ),
    ),
    table(
        "sbc",
        "one row per parameter of simulation-based calibration",
        ("parameter", S, "parameter name"),
        ("inside_band", B, "whether the ranks' ECDF stays inside the simultaneous 95% band"),
        ("largest_ecdf_deviation", N, "largest distance of the ranks' ECDF from uniform"),
        ("mean_shrinkage", N, "mean over datasets of 1 − posterior variance / prior variance"),
    ),
    table(
        "ranks",
        "one row per synthetic dataset: each true parameter's rank in its posterior",
        ("member", INT, "bank run whose outcome served as the dataset"),
        ("ess", N, "effective sample size of the dataset's posterior"),
        ("<PARAMETER>", N, "normalised rank (0..1) of the true value in the posterior"),
    ),
    table(
        "band",
        "the simultaneous 95% band of the ranks' ECDF",
        ("z", N, "normalised rank"),
        ("lower", N, "lower edge of the band at z"),
        ("upper", N, "upper edge of the band at z"),
    ),
    table(
        "audit",
        "one row per target: how often prior-predictive runs satisfy it, under each variant",
        ID,
        CLAIM,
        DOC,
        WEIGHT,
        ("share_<VARIANT>", N, "share of the variant's prior-predictive runs satisfying the claim"),
        ("uninformative", B, "satisfied in at least 95% of runs under every variant"),
        ("circular", B, "restates an event the scenario scripts"),
        ("restates", S, "the event ids it restates"),
    ),
)

MODEL_COMPARISON = (
    table(
        "evidence",
        "one row per variant and prior width: its marginal likelihood",
        ("model", S, "model variant"),
        ("prior_width", N, "prior width, a multiple of the registry ranges"),
        ("parameters", INT, "free parameters of the variant"),
        ("log_evidence", N, "log marginal likelihood of the evidence"),
        ("log_evidence_se", N, "its standard error"),
        ("log_bf_vs_null", N, "log Bayes factor against the null variant"),
        ("log_bf_se", N, "its standard error"),
        ("posterior_ess", N, "effective sample size of the variant's posterior"),
    ),
    table(
        "out_of_sample",
        "one row per variant: log score of the later targets fitted on the earlier",
        ("model", S, "model variant"),
        ("later_targets", INT, "targets scored"),
        ("posterior_ess", N, "effective sample size of the early posterior"),
        ("log_score", N, "log predictive score of the later targets"),
        ("log_score_se", N, "its standard error"),
        ("minus_null", N, "log score minus the null variant's"),
        ("minus_null_se", N, "its standard error"),
        ("minus_full", N, "log score minus the full model's"),
        ("minus_full_se", N, "its standard error"),
    ),
    table(
        "posteriors",
        "draws of each variant's posterior (resampled)",
        ("model", S, "model variant"),
        ("draw", INT, "draw number"),
        ("<PARAMETER>", N, "the draw's value of a parameter"),
    ),
    table(
        "models",
        "draws of each variant's posterior, beside the fit (`compare --models` reads them)",
        ("model", S, "model variant"),
        ("draw", INT, "draw number"),
        ("<PARAMETER>", N, "the draw's value of a parameter"),
    ),
    table(
        "probabilities",
        "one row per variant: its posterior probability (equal priors)",
        ("model", S, "model variant"),
        ("log_evidence", N, "log marginal likelihood at prior width 1"),
        ("log_evidence_se", N, "its standard error"),
        ("probability", N, "posterior probability among the variants"),
    ),
    table(
        "recovery",
        "one row per generating variant: which variant its synthetic datasets pick",
        ("generated_by", S, "variant that made the datasets"),
        ("datasets", INT, "synthetic datasets"),
        ("recovered", N, "share picking the generating variant"),
        ("picked_<VARIANT>", N, "share picking this variant"),
    ),
    table(
        "verdicts",
        "one row per mechanism: whether the evidence supports it",
        ("mechanism", S, "mechanism switched off in its ablation"),
        ("bf_width_<WIDTH>", N, "Bayes factor full / ablation at this prior width"),
        ("bf_width_<WIDTH>_log_se", N, "standard error of its logarithm"),
        ("oos_full_minus_ablation", N, "out-of-sample log score, full minus ablation"),
        ("oos_se", N, "its standard error"),
        ("supported", B, "the rule's verdict"),
    ),
)

COMPARISON = (
    table(
        "bands",
        "one row per scenario and recorded date: the metric over replicates",
        ("scenario", S, "scenario label (base or what-if)"),
        ("date", D, "recorded date"),
        ("q05", N, "5% quantile over replicates"),
        ("q50", N, "median over replicates"),
        ("q95", N, "95% quantile over replicates"),
    ),
    table(
        "differences",
        "one row per what-if and replicate: what-if minus base on the comparison date",
        ("whatif", S, "what-if label"),
        ("replicate", INT, "replicate number (the same seed and draw in every scenario)"),
        ("seed", INT, "the replicate's seed"),
        ("difference", N, "the metric, what-if minus base"),
    ),
    table(
        "summary",
        "one row per what-if: the difference over replicates",
        ("date", D, "comparison date"),
        ("whatif", S, "what-if label"),
        ("base_mean", N, "mean of the base's metric"),
        ("whatif_mean", N, "mean of the what-if's metric"),
        ("difference_mean", N, "mean difference"),
        ("t_low", N, "lower end of the mean's 95% t-interval"),
        ("t_high", N, "upper end of the mean's 95% t-interval"),
        ("bootstrap_low", N, "lower end of the mean's 95% bootstrap interval"),
        ("bootstrap_high", N, "upper end of the mean's 95% bootstrap interval"),
        ("q05", N, "5% quantile of the differences"),
        ("q95", N, "95% quantile of the differences"),
        ("share_positive", N, "share of replicates with a positive difference"),
        ("replicates", INT, "replicates"),
    ),
    table(
        "models",
        "with --models: the difference under each variant and averaged over them",
        ("model", S, "model variant, or `averaged`"),
        ("probability", N, "the variant's posterior probability among those listed"),
        ("date", D, "comparison date"),
        ("whatif", S, "what-if label"),
        ("base_mean", N, "mean of the base's metric"),
        ("whatif_mean", N, "mean of the what-if's metric"),
        ("difference_mean", N, "mean difference"),
        ("t_low", N, "lower end of the mean's 95% t-interval"),
        ("t_high", N, "upper end of the mean's 95% t-interval"),
        ("bootstrap_low", N, "lower end of the mean's 95% bootstrap interval"),
        ("bootstrap_high", N, "upper end of the mean's 95% bootstrap interval"),
        ("q05", N, "5% quantile of the differences"),
        ("q95", N, "95% quantile of the differences"),
        ("share_positive", N, "share of replicates with a positive difference"),
        ("replicates", INT, "replicates"),
    ),
)

SWEEP = (
    table(
        "results",
        "one row per run of the sweep",
        ("point", INT, "design point"),
        ("replicate", INT, "replicate of the point"),
        ("seed", INT, "the run's seed"),
        ("<PARAMETER>", N, "the point's value of a varied parameter"),
        ("final_alignment_<ACTOR>", N, "the focal actor's alignment toward the actor at the end"),
        ("final_hedging_index", N, "the focal actor's hedging index at the end"),
        ("final_dependence", N, "the focal actor's dependence at the end"),
        ("final_top_partner", S, "the focal actor's closest partner at the end ('' when none)"),
        ("bloc_count", INT, "blocs at the end: 1 or 2"),
        ("largest_shift", N, "largest change of the focal actor's alignments in one step"),
        ("largest_shift_date", D, "date of that step"),
        ("agent_actions", INT, "actions the agents took"),
    ),
    table(
        "envelopes",
        "one row per design point, variable and envelope date: quantiles over replicates",
        ("point", INT, "design point"),
        ("date", D, "envelope date"),
        ("variable", S, "`hedging_index` or `alignment_<ACTOR>` (the focal actor's)"),
        *QUANTILES,
    ),
    table(
        "trajectories",
        "with --trajectories: every run's alignment at every date",
        ("point", INT, "design point"),
        ("replicate", INT, "replicate of the point"),
        ("date", D, "date of the state"),
        ("source", S, "actor whose stance it is"),
        ("target", S, "actor the stance is toward"),
        ("value", N, "alignment, −1 .. +1"),
    ),
    table(
        "indices",
        "one row per parameter: its sensitivity indices",
        ("parameter", S, "parameter name"),
        ("S1", N, "Sobol': first-order index"),
        ("S1_conf", N, "Sobol': 95% confidence half-width of S1"),
        ("ST", N, "Sobol': total-order index"),
        ("ST_conf", N, "Sobol': 95% confidence half-width of ST"),
        ("mu_star", N, "Morris: mean absolute elementary effect"),
        ("mu_star_conf", N, "Morris: 95% confidence half-width of mu_star"),
        ("sigma", N, "Morris: standard deviation of the elementary effects"),
    ),
)

#: Every table, by the output folders that hold it (a name may mean different tables in
#: different kinds of folder: `models`).
TABLES: dict[str, tuple[Table, ...]] = {
    "run": RUN,
    "posterior": POSTERIOR,
    "report": REPORTS,
    "model-comparison": MODEL_COMPARISON,
    "comparison": COMPARISON,
    "sweep": SWEEP,
}


def described(name: str, columns: list[str]) -> Table | None:
    """The table of that file stem whose columns describe most of `columns`."""
    found = [t for kind in TABLES.values() for t in kind if t.name == name]
    return max(found, key=lambda t: sum(t.column(c) is not None for c in columns), default=None)


#: The numeric end-of-horizon outcomes of a sweep's results, which sensitivity analyses,
#: adapters and the sweep's figures take (for each partner of the focal actor, its own).
NUMERIC_OUTCOMES = (
    "final_hedging_index",
    "final_dependence",
    "bloc_count",
    "largest_shift",
    "agent_actions",
)


def sweep_outcomes(partners: list[str]) -> tuple[str, ...]:
    """The numeric outcomes of a sweep whose focal actor has these partners."""
    return (*(f"final_alignment_{a}" for a in partners), *NUMERIC_OUTCOMES)
