"""Is the inference itself right? Simulation-based calibration of calibrate's ABC.

Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018): draw a
parameter vector from the prior, simulate evidence from it, infer the posterior from that
evidence; over many repetitions the rank of each true value within its posterior is
uniform exactly when the inference is calibrated. Here it reuses one bank of prior runs
(amortised): each synthetic dataset is the claims' directions a document would report from
one member's run under the measurement model (`sim.experiments.abc.Claims.draw`), its
posterior the weights of the other members (the truth left out), as `alignsim calibrate`
weights them. A member's rank is the posterior weight below its true value (a fractional
rank in [0, 1]).

Uniformity is judged by the rank ECDF's simultaneous band (Säilynoja, Bürkner & Vehtari
2022, computed by ArviZ's ``ecdf_confidence_band``, method "optimized"), at family-wise
level 95% over the parameters (each at 1 − 0.05 / D, Bonferroni). A posterior equal to its
prior also passes, so the report gives each parameter's mean shrinkage beside it. The
check covers the documents' evidence (synthetic vote counts are not drawn).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim import __version__
from sim.core.streams import substream
from sim.experiments.abc import Claims, summarise, weights_of
from sim.experiments.bank import CHECK_STREAM, Bank
from sim.figures.folders import save_output
from sim.figures.posterior import sbc_figure

#: Family-wise level of the uniformity check across parameters.
LEVEL = 0.95
#: Points at which the rank ECDF is compared with its band.
EVAL_POINTS = 99


def rank_band(datasets: int, parameters: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The evaluation points z and the simultaneous band (lower, upper) of the ECDF of
    `datasets` uniform ranks at them, at level 1 − (1 − LEVEL) / parameters."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # ArviZ announces its refactor
        from arviz.stats.ecdf_utils import ecdf_confidence_band

    z = np.linspace(0, 1, EVAL_POINTS + 2)[1:-1]
    prob = 1 - (1 - LEVEL) / max(parameters, 1)
    lower, upper = ecdf_confidence_band(datasets, z, z, prob=prob, method="optimized")
    return z, np.asarray(lower), np.asarray(upper)


def inside_band(ranks: np.ndarray) -> np.ndarray:
    """Per parameter, whether the ECDF of its ranks ([n, D], in [0, 1]) stays inside the
    simultaneous band at every evaluation point."""
    z, lower, upper = rank_band(len(ranks), ranks.shape[1])
    ecdf = (ranks[:, None, :] <= z[None, :, None]).mean(axis=0)  # [Z, D]
    inside: np.ndarray = ((ecdf >= lower[:, None]) & (ecdf <= upper[:, None])).all(axis=0)
    return inside


@dataclass(frozen=True)
class SBC:
    """The ranks of simulation-based calibration and what they say.

    Attributes:
        names: the parameters.
        members: the bank members used as truths, [n].
        ranks: each truth's fractional rank in its posterior, [n, D].
        shrinkage: each posterior's 1 − 90% width / prior 90% width, [n, D].
        ess: each posterior's effective sample size, [n].
        manifest: the bank, seed and level.
    """

    names: tuple[str, ...]
    members: np.ndarray
    ranks: np.ndarray
    shrinkage: np.ndarray
    ess: np.ndarray
    manifest: dict[str, Any]

    @property
    def passed(self) -> np.ndarray:
        """Per parameter, whether its rank ECDF stays inside the band."""
        return inside_band(self.ranks)

    @property
    def table(self) -> pd.DataFrame:
        """Per parameter: inside the band, the largest |ECDF − z|, the mean shrinkage."""
        z = np.linspace(0, 1, EVAL_POINTS + 2)[1:-1]
        ecdf = (self.ranks[:, None, :] <= z[None, :, None]).mean(axis=0)
        return pd.DataFrame(
            {
                "parameter": list(self.names),
                "inside_band": self.passed,
                "largest_ecdf_deviation": np.abs(ecdf - z[:, None]).max(axis=0),
                "mean_shrinkage": self.shrinkage.mean(axis=0),
            }
        )

    @property
    def ranks_table(self) -> pd.DataFrame:
        """Each truth: its bank member, effective sample size and rank per parameter."""
        table = pd.DataFrame(self.ranks, columns=list(self.names))
        table.insert(0, "member", self.members)
        table.insert(1, "ess", self.ess)
        return table

    @property
    def band_table(self) -> pd.DataFrame:
        """The simultaneous band: evaluation points z and the ECDF's lower and upper limits."""
        z, lower, upper = rank_band(len(self.ranks), len(self.names))
        return pd.DataFrame({"z": z, "lower": lower, "upper": upper})

    def figures(self) -> dict[str, Figure]:
        """The rank ECDF of every parameter against its band."""
        band = self.band_table.to_dict("list")
        return {"sbc": sbc_figure(self.ranks_table, self.table, {**self.manifest, "band": band})}

    def save(self, folder: str | Path, force: bool = False) -> Path:
        """Write ``sbc`` and ``ranks`` tables, the figure and the manifest, whole or not at
        all; a non-empty folder is refused unless `force`."""
        tables = {"sbc": self.table, "ranks": self.ranks_table, "band": self.band_table}
        manifest = {**self.manifest, "passed": bool(self.passed.all())}
        return save_output(folder, tables, self.figures(), manifest, force=force)


def sbc(bank: Bank, claims: Claims, datasets: int, seed: int) -> SBC:
    """Simulation-based calibration on `datasets` members of the bank (module docstring).

    Args:
        bank: prior runs of the variant (`sim.experiments.bank.simulate_bank`).
        claims: the documents' measurement model, as calibrate's.
        datasets: synthetic datasets (bank members drawn without replacement).
        seed: chooses the members and draws their reported directions.
    """
    rng = np.random.default_rng(substream(seed, CHECK_STREAM))
    members = np.sort(rng.choice(bank.size, datasets, replace=False))
    theta = bank.theta
    ranks = np.empty((datasets, theta.shape[1]))
    shrinkage = np.empty_like(ranks)
    sizes = np.empty(datasets)
    for i, member in enumerate(members):
        direction = claims.draw(bank.gap[member], rng)
        weights = weights_of(claims.loglik(bank.gap, direction), None, member)
        w = weights.weights
        ranks[i] = w @ (theta < theta[member])
        shrinkage[i] = summarise(theta, w, bank.prior.span)[:, 3]
        sizes[i] = weights.ess
    manifest = {
        "alignsim_version": __version__,
        "kind": "sbc",
        "bank_runs": bank.size,
        "datasets": datasets,
        "seed": seed,
        "level": LEVEL,
        "per_parameter_level": 1 - (1 - LEVEL) / max(len(bank.prior.names), 1),
    }
    return SBC(bank.prior.names, members, ranks, shrinkage, sizes, manifest)
