"""``datapackage.json``: a Frictionless Data Package describing every table of an output
folder (its Parquet file and CSV copy) and every column (type and meaning), made from the
data dictionary (`sim.io.tables`) and the columns the files hold. Deterministic: the same
tables give the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim.io.files import slug, write_json
from sim.io.tables import described

#: Frictionless types of the Arrow types alignsim writes.
ARROW_TYPES = (
    (pa.types.is_boolean, "boolean"),
    (pa.types.is_integer, "integer"),
    (pa.types.is_floating, "number"),
    (pa.types.is_date, "date"),
    (pa.types.is_string, "string"),
    (pa.types.is_large_string, "string"),
)


def type_of(arrow: pa.DataType) -> str:
    """The Frictionless type of an Arrow column type ('any' for one alignsim never writes)."""
    return next((name for test, name in ARROW_TYPES if test(arrow)), "any")


def fields(schema: pa.Schema, name: str) -> list[dict[str, Any]]:
    """A table's columns as Table Schema fields: type and meaning from the data dictionary
    (for a column it lacks, which the tests refuse: the file's type and no meaning)."""
    known = described(name, schema.names)
    out = []
    for field in schema:
        column = known.column(field.name) if known else None
        out.append(
            {
                "name": field.name,
                "type": column.type if column else type_of(field.type),
                "description": column.description if column else "",
            }
        )
    return out


def resources(folder: Path) -> list[dict[str, Any]]:
    """A resource for each Parquet table of `folder`, and one for its CSV copy if any."""
    found = []
    for path in sorted(folder.glob("*.parquet")):
        schema = pq.read_schema(path)
        known = described(path.stem, schema.names)
        base = {
            "profile": "tabular-data-resource",
            "description": known.description if known else "",
            "schema": {"fields": fields(schema, path.stem)},
        }
        name = slug(path.stem.replace("_", "-"))
        found.append({"name": name, "path": path.name, "format": "parquet", **base})
        csv = path.with_suffix(".csv")
        if csv.is_file():
            copy = {"name": f"{name}-csv", "path": csv.name, "format": "csv", "encoding": "utf-8"}
            found.append({**copy, "mediatype": "text/csv", **base})
    return found


def write_datapackage(folder: Path, name: str | None = None) -> Path:
    """Write ``FOLDER/datapackage.json`` describing the folder's tables (the package named
    after `name`, by default the folder's); return its path."""
    target = folder / "datapackage.json"
    package = {
        "profile": "tabular-data-package",
        "name": slug(name or folder.name),
        "description": "Tables written by alignsim; columns described in README, "
        '"Data dictionary".',
        "resources": resources(folder),
    }
    write_json(target, package)
    return target
