"""UN General Assembly roll-call votes: the raw table, the counts derived from it, arrays.

The raw table (``unga_votes.csv``, Voeten, Strezhnev & Bailey's data as packaged in the R
package ``unvotes``; ``calibration/UNGA.md`` gives the source to cite) has one row per roll
call and state that voted: ``rcid,session,date,unres,importantvote,actor,vote``, the vote
one of yes, no, abstain (absences have no row).

`vote_counts` derives what the measurement model uses (`sim.experiments.votes`): per
calendar year of the vote's date and unordered pair of states (``a`` < ``b``
alphabetically), ``roll_calls`` n, the roll calls on which both voted, and ``identical``
k, those on which both cast the same one of the three votes. ``calibration/unga_counts.csv``
is that table, built from the raw file; `read_vote_counts` reads it back, checked, and
`count_arrays` turns it into `VoteCounts`, the [pairs, years] arrays of a scenario's actors.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.errors import InputError
from sim.io.files import read_text
from sim.io.limits import excerpt

RAW_COLUMNS = ("rcid", "session", "date", "unres", "importantvote", "actor", "vote")
VOTES = ("yes", "no", "abstain")
COUNT_COLUMNS = ("year", "a", "b", "roll_calls", "identical")


def _read_csv(path: Path, columns: Sequence[str], what: str) -> pd.DataFrame:
    """A CSV with at least `columns`, or an InputError naming the file."""
    text = read_text(path, what)
    try:
        table = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    except ValueError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc})") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(f"{path}: the {what} lacks the columns {', '.join(missing)}")
    return table


def read_votes(path: Path) -> pd.DataFrame:
    """The raw roll-call table, checked: known votes, one row per roll call and state."""
    table = _read_csv(path, RAW_COLUMNS, "roll-call table")
    bad = np.flatnonzero(~table["vote"].isin(VOTES))
    if len(bad):
        raise InputError(
            f"{path}: vote {excerpt(table['vote'].iloc[bad[0]])} on line {bad[0] + 2}; "
            f"allowed: {', '.join(VOTES)}"
        )
    if table.duplicated(["rcid", "actor"]).any():
        raise InputError(f"{path}: a state votes twice on one roll call")
    return table


def vote_counts(votes: pd.DataFrame) -> pd.DataFrame:
    """Per calendar year and unordered pair: roll calls both voted on, identical votes.

    Args:
        votes: the raw table (`read_votes`).

    Returns:
        The columns of `COUNT_COLUMNS`, sorted by year, a, b; a pair with no common roll
        call in a year has no row.
    """
    cast = votes[["rcid", "date", "actor", "vote"]]
    both = cast.merge(cast[["rcid", "actor", "vote"]], on="rcid", suffixes=("_a", "_b"))
    both = both[both["actor_a"] < both["actor_b"]]
    grouped = both.assign(
        year=both["date"].str[:4].astype(int), same=both["vote_a"] == both["vote_b"]
    ).groupby(["year", "actor_a", "actor_b"])["same"]
    counts = grouped.agg(roll_calls="size", identical="sum").reset_index()
    counts = counts.rename(columns={"actor_a": "a", "actor_b": "b"})
    return counts.astype({"roll_calls": int, "identical": int}).loc[:, list(COUNT_COLUMNS)]


def agreement_differences(counts: pd.DataFrame, agreement: pd.DataFrame) -> pd.DataFrame:
    """Rows where a published agreement table (``year,a,b,roll_calls,agreement``, the share
    rounded to 4 decimals) disagrees with `counts`: other roll calls, a share off by more
    than the rounding, or a row in one table only. Empty when the two agree."""
    both = counts.merge(agreement, on=["year", "a", "b"], how="outer", suffixes=("", "_pub"))
    off = (
        both["roll_calls"].ne(both["roll_calls_pub"])
        | (both["identical"] / both["roll_calls"] - both["agreement"]).abs().gt(5e-5)
        | both.isna().any(axis=1)
    )
    return both[off]


def read_vote_counts(path: Path) -> pd.DataFrame:
    """The copied counts table (``calibration/unga_counts.csv``), checked."""
    table = _read_csv(path, COUNT_COLUMNS, "vote counts table")
    numbers = table[["year", "roll_calls", "identical"]]
    if not all(pd.api.types.is_integer_dtype(t) for t in numbers.dtypes):
        raise InputError(f"{path}: year, roll_calls and identical must be whole numbers")
    if ((numbers["identical"] < 0) | (numbers["identical"] > numbers["roll_calls"])).any():
        raise InputError(f"{path}: identical votes must lie between 0 and roll_calls")
    if (table["a"] >= table["b"]).any() or table.duplicated(["year", "a", "b"]).any():
        raise InputError(f"{path}: each year and pair once, with a before b alphabetically")
    return table.loc[:, list(COUNT_COLUMNS)]


@dataclass(frozen=True)
class VoteCounts:
    """Counts of a set of actors as arrays over pairs and years.

    Attributes:
        actors: the actors, in the scenario's order.
        pairs: the unordered pairs (i, j), i before j in `actors`; the order of
            ``itertools.combinations(actors, 2)`` and of ``np.triu_indices(N, 1)``.
        years: the calendar years, ascending.
        identical: identical votes k, [pairs, years] (0 where the pair had no roll call).
        roll_calls: roll calls n both voted on, [pairs, years] (0 where none).
    """

    actors: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    years: tuple[int, ...]
    identical: np.ndarray
    roll_calls: np.ndarray

    def involves(self, actor: str) -> np.ndarray:
        """Whether each pair includes `actor`, [pairs] of 0.0 or 1.0."""
        return np.array([float(actor in pair) for pair in self.pairs])

    def share(self) -> np.ndarray:
        """Agreement k / n pooled over the years, [pairs] (NaN for a pair with no roll call)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(self.identical.sum(axis=1) / self.roll_calls.sum(axis=1))

    def select(self, years: Sequence[int]) -> VoteCounts:
        """The same actors and pairs over a subset of the years."""
        cols = [self.years.index(y) for y in years]
        return VoteCounts(
            self.actors, self.pairs, tuple(years), self.identical[:, cols], self.roll_calls[:, cols]
        )


def count_arrays(table: pd.DataFrame, actors: Sequence[str], years: Sequence[int]) -> VoteCounts:
    """The counts of the pairs among `actors` in `years`, as `VoteCounts`.

    Raises:
        InputError: an actor has no row in the table at all.
    """
    absent = sorted(set(actors) - set(table["a"]) - set(table["b"]))
    if absent:
        raise InputError(f"vote counts: no roll calls for {', '.join(absent)}")
    pairs = tuple(itertools.combinations(actors, 2))
    columns = ("year", "a", "b", "identical", "roll_calls")
    found = {(y, a, b): (k, n) for y, a, b, k, n in zip(*(table[c] for c in columns), strict=True)}
    cells = [[found.get((year, min(i, j), max(i, j)), (0, 0)) for year in years] for i, j in pairs]
    counts = np.array(cells, dtype=np.int64).reshape(len(pairs), len(years), 2)
    return VoteCounts(tuple(actors), pairs, tuple(years), counts[..., 0], counts[..., 1])


def counts_table(counts: VoteCounts) -> pd.DataFrame:
    """`VoteCounts` back as a counts table (the inverse of `count_arrays`; pairs with no
    roll call in a year are left out), e.g. to hand synthetic counts to table readers."""
    rows = [
        (year, *sorted(pair), int(counts.roll_calls[p, y]), int(counts.identical[p, y]))
        for p, pair in enumerate(counts.pairs)
        for y, year in enumerate(counts.years)
        if counts.roll_calls[p, y] > 0
    ]
    table = pd.DataFrame(rows, columns=list(COUNT_COLUMNS))
    return table.sort_values(["year", "a", "b"], ignore_index=True)
