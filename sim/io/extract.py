"""A rule-based first coder: draft event rows from a plain-text news article.

For a human to review, not to trust. The article's date is read from an ISO date in the
text or a wire dateline ("SEOUL, Oct. 10 (Yonhap)") with the year of any ISO date, or given
with `--date`. Each sentence is searched for actors (names of states, capitals, leaders
and ruling parties), for an event pattern (verb phrases mapped to taxonomy types), and for
a date (explicit "Oct. 9, 2025"; relative "on Thursday", "next week", "last year in June",
resolved against the article's date by the conventions of `calibration/CODEBOOK.md`). A
sentence with two or more actors and a pattern becomes a draft row whose quote is the
sentence itself; the first actor named is the source, the others the targets.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.core.errors import InputError
from sim.io.csvrows import csv_rows
from sim.io.eventtable import read_event_table
from sim.io.files import read_text

#: Names by which the documents refer to states (case-sensitive, whole words).
ACTOR_NAMES: dict[str, tuple[str, ...]] = {
    "PRK": (
        "North Korea",
        "N. Korea",
        "North Korean",
        "Pyongyang",
        "DPRK",
        "Kim Jong-un",
        "Kim Jong Un",
        "Kim",
        "Workers' Party of Korea",
        "Kim Song Nam",
        "Yun Jong Ho",
    ),
    "CHN": ("China", "Chinese", "Beijing", "Xi Jinping", "Li Qiang", "Cai Qi", "Wang Yi"),
    "RUS": ("Russia", "Russian", "Moscow", "Putin", "Medvedev"),
    "VNM": ("Vietnam", "Vietnamese", "To Lam", "Le Hoai Trung", "Phan Van Giang"),
    "LAO": ("Laos", "Lao", "Thongloun"),
    "USA": ("United States", "U.S.", "Washington", "Trump"),
    "KOR": ("South Korea", "Seoul", "Lee Jae Myung", "Cho Hyun"),
    "UKR": ("Ukraine",),
    "JPN": ("Japan",),
}

#: Verb patterns -> taxonomy type, in order of precedence (the first match wins).
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"seat(ed)? .*(left|seat of hono)", "seat_of_honour"),
    (r"sign(ed|ing)? .*(agreement|partnership|pact|treaty)", "sign_agreement"),
    (r"(deploy\w* (its )?troops|supplied weapons|military support)", "military_aid"),
    (r"(attend\w*|stand\w*) .*parade", "parade_attendance"),
    (r"summit", "summit"),
    (r"delegation", "party_delegation"),
    (r"(held|hold|holds) (separate )?talks|talks with|exchanged views", "consult"),
    (r"\bmet\b|\bmeet\w*", "meet_third_location"),
    (r"visit\w*|trip to|travel\w* to|arriv\w*", "visit"),
    (r"greet\w*", "host_visit"),
    (r"(sit down with|willingness to hold talks|dialogue)", "intent_to_meet"),
    (r"(attended|attendance|celebrat\w*|ceremony)", "ceremony_attendance"),
    (r"confrontational stance|adversarial", "criticize"),
    (r"(support each other|cooperat\w*|ties)", "diplomatic_cooperation"),
)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"


@dataclass(frozen=True)
class Draft:
    """A candidate event for review."""

    date: dt.date
    source: str
    targets: tuple[str, ...]
    type: str
    quote: str
    note: str


def article_date(text: str) -> dt.date | None:
    """The article's date: an ISO date, with a dateline's month and day when present."""
    iso = re.search(r"\b(20\d\d)-(\d\d)-(\d\d)\b", text)
    year = int(iso.group(1)) if iso else None
    dateline = re.search(rf"[A-Z]{{3,}}, {MONTH} (\d{{1,2}}) \(", text)
    if dateline and year:
        return dt.date(year, MONTHS[dateline.group(1)[:3].lower()], int(dateline.group(2)))
    return dt.date.fromisoformat(iso.group(0)) if iso else None


def sentences(text: str) -> list[str]:
    """Split text into sentences (lines first, then sentence ends)."""
    parts: list[str] = []
    for line in text.splitlines():
        parts += re.split(r"(?<=[.!?])\s+(?=[A-Z\"“'])", line.strip())
    return [p for p in parts if len(p) > 20]


def actors_in(sentence: str) -> list[str]:
    """Actor ids named in a sentence, in order of first mention."""
    found: list[tuple[int, str]] = []
    for actor, names in ACTOR_NAMES.items():
        positions = [
            m.start()
            for n in names
            for m in re.finditer(rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])", sentence)
        ]
        if positions:
            found.append((min(positions), actor))
    return [actor for _, actor in sorted(found)]


def event_type(sentence: str) -> str | None:
    """The first matching pattern's type, or None."""
    lowered = sentence.lower()
    return next((kind for pattern, kind in PATTERNS if re.search(pattern, lowered)), None)


def resolve_date(sentence: str, published: dt.date) -> tuple[dt.date, str]:
    """The date a sentence refers to, and how it was resolved."""
    explicit = re.search(rf"{MONTH} (\d{{1,2}})(, (20\d\d))?", sentence)
    if explicit:
        year = int(explicit.group(4)) if explicit.group(4) else published.year
        day = dt.date(year, MONTHS[explicit.group(1)[:3].lower()], int(explicit.group(2)))
        return day, f"explicit date '{explicit.group(0)}'"
    lowered = sentence.lower()
    for i, name in enumerate(WEEKDAYS):
        if re.search(rf"\b(on|last) {name}\b", lowered):
            back = (published.weekday() - i) % 7 or 7
            return published - dt.timedelta(days=back), f"'{name}' before {published}"
    if "next week" in lowered:
        return published + dt.timedelta(days=7), f"'next week' = {published} + 7 days"
    last_year = re.search(rf"last year in {MONTH}", sentence)
    if last_year:
        month = MONTHS[last_year.group(1)[:3].lower()]
        return dt.date(published.year - 1, month, 15), "'last year in <month>': day 15"
    only_year = re.search(r"\bin (20\d\d|19\d\d)\b", sentence)
    if only_year:
        found = only_year.group(1)
        return dt.date(int(found), 7, 1), f"year {found} only: July 1"
    return published, "no date in the sentence: the article's date"


def extract(text: str, published: dt.date) -> list[Draft]:
    """Draft events from an article's text."""
    drafts = []
    for sentence in sentences(text):
        actors = actors_in(sentence)
        kind = event_type(sentence)
        if len(actors) < 2 or kind is None:
            continue
        day, how = resolve_date(sentence, published)
        drafts.append(
            Draft(
                day,
                actors[0],
                tuple(actors[1:]),
                kind,
                shorten(sentence),
                f"draft by alignsim extract: type from pattern; date: {how}",
            )
        )
    return drafts


def shorten(sentence: str, limit: int = 240) -> str:
    """The sentence, cut at a word boundary to at most `limit` characters (still verbatim)."""
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0]


def extract_file(path: Path, published: dt.date | None) -> list[dict[str, object]]:
    """Draft event rows (our table's columns) from an article file.

    Raises:
        InputError: unreadable file, or no article date found and none given.
    """
    text = read_text(path, "article")
    day = published or article_date(text)
    if day is None:
        raise InputError(
            f"{path}: no article date found in the text; give one with --date YYYY-MM-DD"
        )
    return [
        {
            "id": f"draft-{path.stem}-{n:03d}",
            "date": d.date.isoformat(),
            "source": d.source,
            "target": ";".join(d.targets),
            "type": d.type,
            "magnitude": 1,
            "institutional": d.type == "sign_agreement",
            "doc": path.name,
            "quote": d.quote,
            "note": d.note,
        }
        for n, d in enumerate(extract(text, day), 1)
    ]


def score(
    drafts: Iterable[dict[str, object]], coded: Sequence[dict[str, str]], days: int = 3
) -> tuple[float, float, int, int]:
    """Precision and recall of drafts against hand-coded rows.

    A draft matches a coded row of the same document with the same pair of actors (either
    direction, any target of a multilateral row) dated within `days`. Each coded row is
    matched at most once.

    Returns:
        (precision, recall, matched drafts, coded rows).
    """
    remaining = [dict(c) for c in coded]
    drafts = list(drafts)
    matched = 0
    for draft in drafts:
        pair = {str(draft["source"]), *str(draft["target"]).split(";")}
        day = dt.date.fromisoformat(str(draft["date"]))
        for row in remaining:
            coded_pair = {row["source"], *row["target"].split(";")}
            if (
                row["doc"] == draft["doc"]
                and len(pair & coded_pair) >= 2
                and abs((dt.date.fromisoformat(row["date"]) - day).days) <= days
            ):
                remaining.remove(row)
                matched += 1
                break
    precision = matched / len(drafts) if drafts else 0.0
    recall = matched / len(coded) if coded else 0.0
    return precision, recall, matched, len(coded)


def source_dates(path: Path) -> dict[str, dt.date]:
    """Article dates from a sources table (columns `file` and `date`)."""
    rows = read_csv_rows(path)
    try:
        return {row["file"]: dt.date.fromisoformat(row["date"]) for row in rows}
    except (KeyError, ValueError) as exc:
        raise InputError(f"{path}: expected columns file and date (YYYY-MM-DD): {exc}") from None


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dictionaries keyed by its header."""
    rows = csv_rows(read_text(path, "sources table"), path)
    header = [h.strip() for h in next(rows, (1, []))[1]]
    return [dict(zip(header, cells, strict=False)) for _, cells in rows]


def draft_events(
    docs: Sequence[Path], published: dt.date | None = None, sources: Path | None = None
) -> list[dict[str, object]]:
    """Draft rows from every article, dated by `published`, a sources table or the text."""
    dates = source_dates(sources) if sources else {}
    return [row for doc in docs for row in extract_file(doc, published or dates.get(doc.name))]


def compare_drafts(
    drafts: Sequence[dict[str, object]], coded_path: Path, docs: Sequence[Path]
) -> str:
    """One line: precision and recall of drafts against the coded rows of the same articles."""
    names = {d.name for d in docs}
    coded = [
        {
            "doc": r.spec.doc,
            "date": r.spec.date.isoformat(),
            "source": r.spec.source,
            "target": r.spec.target,
        }
        for r in read_event_table(coded_path)
        if r.spec.doc in names
    ]
    precision, recall, matched, total = score(drafts, coded)
    return (
        f"against {coded_path}: precision {precision:.2f} ({matched} of {len(drafts)} "
        f"drafts match a coded event), recall {recall:.2f} ({matched} of {total} coded "
        f"events found)"
    )
