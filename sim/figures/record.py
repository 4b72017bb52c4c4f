"""Which figures a folder's last drawing made: ``figures.json``, beside the figures.

A run, a comparison or a calibration writes it with its figures, and `alignsim plot`
replaces it when it redraws, so a report shows the figures of that drawing, in the order
drawn and with their captions, and not the leftovers of earlier ones (another actor's
alignment, another format).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from sim.figures.captions import caption
from sim.figures.runs import save_figures
from sim.io.files import write_json

RECORD = "figures.json"


def save_recorded(
    figures: dict[str, Figure],
    folder: Path,
    formats: tuple[str, ...],
    manifest: dict[str, Any],
) -> list[Path]:
    """Write the figures (`sim.figures.runs.save_figures`) and the record of them
    (`folder/RECORD`), each with its caption; return the figures' paths."""
    paths = save_figures(figures, folder, formats)
    entries = [{"file": p.name, "caption": caption(p.stem, manifest)} for p in paths]
    write_json(folder / RECORD, {"figures": entries})
    return paths


def read_record(folder: Path) -> list[tuple[Path, str]] | None:
    """The figures of the folder's last drawing and their captions, in the order drawn
    (those still present); None where no record was written (a folder from before)."""
    path = folder / RECORD
    if not path.is_file():
        return None
    entries = json.loads(path.read_text(encoding="utf-8"))["figures"]
    found = [(folder / e["file"], e["caption"]) for e in entries]
    return [(p, text) for p, text in found if p.is_file()]
