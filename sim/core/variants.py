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
| null | all five: scripted events with reciprocity, relaxation, treaties moving the baseline |
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sim.core.errors import InputError


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
        "no balance, hedging, jealousy, spillover or agents",
        tuple(parameter for parameter, _ in MECHANISMS.values()),
    ),
}


def variant(name: str, where: str = "--model") -> Variant:
    """The variant of that name.

    Raises:
        InputError: an unknown name, listing the variants.
    """
    if name not in VARIANTS:
        raise InputError(
            f"{where} {name!r}: unknown model variant; choose from {', '.join(VARIANTS)}"
        )
    return VARIANTS[name]
