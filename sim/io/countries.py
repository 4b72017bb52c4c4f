"""Country names to ISO 3166 alpha-3 codes, through `country_converter`'s table.

`country_converter` (coco) matches a name against one regular expression per country, so
the forms news coders use ("Ivory Coast", "Burma", "East Timor", "Democratic Republic of
Congo") find their codes as the official ones do. Its table ships inside the package, so a
lookup needs no network.

coco 1.3.2 reads that table in a way pandas 3 no longer honours: Namibia's ISO2 code "NA"
becomes a missing value and the converter fails to build. The table is read here with every
cell as text (only `obsolete`, which coco filters on, keeps its empty cells missing), which
gives the same converter under pandas 2 and 3.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

NOT_FOUND = "\x00not found"


@dataclass(frozen=True)
class Lookup:
    """The alpha-3 code of a name, or why there is none (`code` is then '')."""

    code: str
    problem: str = ""


@functools.cache
def converter() -> object:
    """coco's converter of current countries, built once (about 0.2 s, pandas aside)."""
    import country_converter as coco
    import pandas as pd
    from country_converter.country_converter import COUNTRY_DATA_FILE

    table = pd.read_csv(
        COUNTRY_DATA_FILE, sep="\t", encoding="utf-8", dtype=str, keep_default_na=False
    )
    table["obsolete"] = table["obsolete"].replace("", None)
    # coco logs each name it cannot match; the importers name the file and line instead.
    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter(country_data=table)


@functools.cache
def alpha3(name: str) -> Lookup:
    """Look a country name up; empty names, unknown names and names matching several
    countries give no code, the latter two with the reason."""
    if not name.strip():
        return Lookup("")
    found = converter().convert(  # type: ignore[attr-defined]
        name, src="regex", to="ISO3", enforce_list=True, not_found=NOT_FOUND
    )[0]
    if found == [NOT_FOUND]:
        return Lookup("", "is not a country name country_converter knows")
    if len(found) > 1:
        return Lookup("", f"matches several countries ({', '.join(map(str, found))})")
    return Lookup(str(found[0]))
