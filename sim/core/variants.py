"""Model variants: the full model, one ablation per mechanism, and the null model.

A variant switches mechanisms off by fixing the parameters that scale them at exactly 0,
in the same kernels (ODD.md §7.14): every term of a switched-off mechanism is multiplied by
its parameter, so it contributes exactly nothing, and no second code path exists. The
noise stays on in every variant: it is the model's stochastic part, not a mechanism.

| variant | switched off (fixed at 0) |
| --- | --- |
| full | nothing |
| no-balance | structural balance (`balance`) |
| no-hedging | the hedging force (`hedging_rate`) |
| no-jealousy | patron jealousy (`jealousy`) |
| no-spillover | Heider balance of bystanders (`spillover`) |
| no-agents | the agents' own actions (`activity`) |
| no-memory | relationship memory: the baseline following the alignment (`memory`) |
| null | all six: scripted events with reciprocity, relaxation, treaties moving the baseline |
| null+M+... | the null with the named mechanisms M switched back on (e.g. `null+memory`) |
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sim.core.errors import InputError, excerpt


@dataclass(frozen=True)
class Variant:
    """A model variant: its name, what it is, and the parameters it fixes at 0."""

    name: str
    meaning: str
    off: tuple[str, ...]

    def free(self, names: Sequence[str]) -> tuple[str, ...]:
        """The names that stay free in this variant (those it does not fix)."""
        return tuple(n for n in names if n not in self.off)

    def check_free(self, names: Sequence[str], where: str) -> tuple[str, ...]:
        """The names, each free in this variant.

        Raises:
            InputError: a name this variant fixes at 0.
        """
        fixed = [n for n in names if n in self.off]
        if fixed:
            raise InputError(
                f"{where} {fixed[0]}: model {self.name} fixes {fixed[0]} at 0; its free "
                f"parameters exclude {', '.join(self.off)}"
            )
        return tuple(names)

    def apply(self, parameters: Mapping[str, float]) -> dict[str, float]:
        """The parameters with this variant's switched-off ones at exactly 0."""
        return {**parameters, **dict.fromkeys(self.off, 0.0)}


MECHANISMS = {
    "balance": ("balance", "structural balance: the friend of my friend becomes my friend"),
    "hedging": ("hedging_rate", "the hedging force: over-weighted partners are lowered"),
    "jealousy": ("jealousy", "patron jealousy: a patron cools toward a client courting others"),
    "spillover": ("spillover", "Heider balance of bystanders toward an event's source"),
    "agents": ("activity", "the agents' own actions after the documented events"),
    "memory": ("memory", "relationship memory: the baseline follows the alignment"),
}

VARIANTS: dict[str, Variant] = {
    "full": Variant("full", "every mechanism", ()),
    **{
        f"no-{name}": Variant(f"no-{name}", f"the full model without {meaning}", (parameter,))
        for name, (parameter, meaning) in MECHANISMS.items()
    },
    "null": Variant(
        "null",
        "scripted events with reciprocity, relaxation and treaties moving the baseline; "
        "no balance, hedging, jealousy, spillover, agents or memory",
        tuple(parameter for parameter, _ in MECHANISMS.values()),
    ),
}


def variant(name: str, where: str = "--model") -> Variant:
    """The variant of that name: one of `VARIANTS`, or ``null+M+...``, the null model with
    the named mechanisms of `MECHANISMS` switched back on (each at most once).

    Raises:
        InputError: an unknown name, listing the variants and mechanisms.
    """
    if name in VARIANTS:
        return VARIANTS[name]
    head, *kept = name.split("+")
    known = kept and all(m in MECHANISMS for m in kept) and len(set(kept)) == len(kept)
    if head == "null" and known:
        return Variant(
            name,
            f"the null model with {', '.join(MECHANISMS[m][1] for m in kept)}",
            tuple(p for m, (p, _) in MECHANISMS.items() if m not in kept),
        )
    raise InputError(
        f"{where} {excerpt(name)}: unknown model variant; choose from {', '.join(VARIANTS)} or "
        f"null+M+... with mechanisms M among {', '.join(MECHANISMS)}, each once"
    )
