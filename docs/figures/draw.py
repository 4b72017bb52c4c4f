"""Redraw the README's small figures (docs/figures/*.png) from the folders its commands write.

Run from a folder holding the outputs of, with PYTHONPATH at the project:

    alignsim sweep scenarios/baseline.yaml --vary spillover=0:0.5:4 \
        --vary decay=0.002:0.02:4 --replicates 20 --workers 2 --out sweep
    alignsim compare scenarios/baseline.yaml scenarios/whatif/*.yaml --replicates 200 \
        --seed 0 --metric alignment_USA --at 2026-07-06 --out cmp
    alignsim calibrate scenarios/baseline.yaml --seed 1 --method optimize --out cal
    alignsim sensitivity scenarios/baseline.yaml --method sobol --params \
        impulse,reciprocity,spillover,baseline_shift,decay --outcome final_alignment_CHN \
        --samples 64 --seed 0 --workers 2 --out sens

then ``python docs/figures/draw.py DOCS_FIGURES_FOLDER``. The figures are the commands'
own, drawn at a lower resolution (and the calibration's first six targets of 29).
"""

import sys
from pathlib import Path

from sim.figures.calibration import targets_figure
from sim.figures.comparison import comparison_figures
from sim.figures.sensitivity import sensitivity_figures
from sim.figures.sweeps import sweep_figures
from sim.io.files import read_manifest, read_table


def main(out: Path) -> None:
    """Write the four README figures into `out`."""
    sweep = sweep_figures(Path("sweep"), "final_hedging_index", "hedging_index")
    compare = {n: read_table(Path("cmp"), n) for n in ("bands", "differences", "summary")}
    cal, sens = Path("cal"), Path("sens")
    figures = {
        "sweep-heatmap.png": (sweep["heatmap_final_hedging_index"], 70),
        "compare-bands.png": (
            comparison_figures(**compare, manifest=read_manifest(Path("cmp")))["bands"],
            55,
        ),
        "calibration-targets.png": (
            targets_figure(
                read_table(cal, "targets").head(6),
                read_table(cal, "series"),
                read_manifest(cal)["scenario"]["name"],
            ),
            55,
        ),
        "sensitivity-indices.png": (
            sensitivity_figures(read_table(sens, "indices"), read_manifest(sens))["indices"],
            70,
        ),
    }
    for name, (figure, dpi) in figures.items():
        figure.savefig(out / name, dpi=dpi, metadata={"Software": None})


if __name__ == "__main__":
    main(Path(sys.argv[1]))
