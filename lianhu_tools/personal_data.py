"""The check run on every file before it is published: no household's ID number or phone in any form (full-width
digits, any separators inside, a country code or other digits around it), and no household head's full name —
whether a whole cell or inside a sentence or a unit's name, with spaces, dots or invisible characters inside,
in traditional characters — unless that place in the text belongs to something published by design: a cadre's
or a place's name, the workbench's own wording, or a namesake the planner has reviewed
(`publication_allowed_names`)."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Iterable

from .errors import PersonalDataLeak
from .rosters import Rosters
from .schema import HOUSEHOLD_PERSONAL_FIELDS, TABLES

SEPARATOR = r"\s\-\u2010-\u2015\u2212_.·/()（）+\u200b-\u200d\u2060\ufeff"  # what people put inside numbers
NUMBER = re.compile(rf"[0-9X](?:[0-9X]|[{SEPARATOR}])*")  # digit groups joined by those
NOT_DIGIT = re.compile(r"[^0-9X]+")
NOT_TEXT = re.compile(r"[\s\W_]+")  # spaces (U+3000 too), dots, dashes, invisible characters: not part of a name
CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")


def check_no_personal_data(paths: list[Path], rosters: Rosters, allowed: Iterable[str] = ()) -> None:
    """Raise PersonalDataLeak for the first file that carries a household's ID number, phone or head's name.
    `allowed`: reviewed namesakes."""
    guard = Guard(rosters, allowed)
    for path in paths:
        numbers, where = guard.found(_pieces(Path(path)))
        if numbers or where:
            raise PersonalDataLeak(path, numbers, where)


class Guard:
    """What to look for, and what is published by design — all of it in plain form (`plain`)."""

    def __init__(self, rosters: Rosters, allowed: Iterable[str] = ()):
        households = rosters.households
        fields = [TABLES["households"].field(name) for name in HOUSEHOLD_PERSONAL_FIELDS]
        numbers = {_digits(v) for f in fields if f.kind in ("id_number", "phone") for v in households[f.name].dropna()}
        self.numbers = {n for n in numbers if len(n) >= 7}
        self.number_lengths = sorted({len(n) for n in self.numbers})
        names = {plain(v) for f in fields if f.kind not in ("id_number", "phone") for v in households[f.name].dropna()}
        self.names = {n for n in names if len(n) >= 2} - {plain(a) for a in allowed}
        self.name_lengths = sorted({len(n) for n in self.names})
        places = [rosters.villages[c] for c in ("county_name", "township_name", "village_name")] + [rosters.cadres["name"]]
        wording = own_wording() - self.names  # the workbench's wording excuses a name only around it
        self.public = {plain(v) for column in places for v in column.dropna()} | wording
        self.public_lengths = sorted({len(p) for p in self.public}, reverse=True)

    def found(self, pieces: set[str]) -> tuple[list[str], list[str]]:
        """The ID and phone numbers found, and the pieces of text holding a head's name."""
        numbers = sorted({n for piece in pieces for n in self._numbers(piece)})
        where = sorted(piece for piece in pieces if self._holds_a_name(plain(piece)))
        return numbers, where

    def _numbers(self, piece: str) -> set[str]:
        found = set()
        for run in NUMBER.findall(unicodedata.normalize("NFKC", piece).upper()):
            run = NOT_DIGIT.sub("", run)
            found |= {run[i:i + n] for n in self.number_lengths for i in range(len(run) - n + 1)} & self.numbers
        return found

    def _holds_a_name(self, piece: str) -> bool:
        """A name anywhere in the (plain) piece, not inside a text published by design."""
        if piece in self.public:
            return False
        for n in self.name_lengths:
            for i in range(len(piece) - n + 1):
                if piece[i:i + n] in self.names and not self._covered(piece, i, n):
                    return True
        return False

    def _covered(self, piece: str, i: int, n: int) -> bool:
        return any(piece[j:j + size] in self.public for size in self.public_lengths if size >= n
                   for j in range(max(0, i + n - size), min(i, len(piece) - size) + 1))


def plain(text) -> str:
    """A text as names are compared: NFKC, simplified characters, no spaces, dots, dashes or invisible characters."""
    return NOT_TEXT.sub("", _simplified(unicodedata.normalize("NFKC", str(text))))


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    return _converter().convert(text) if not text.isascii() else text


def _digits(text: str) -> str:
    """A stored number's digits: full-width as ASCII, X upper case, nothing else ('0938-8211234' → '09388211234')."""
    return NOT_DIGIT.sub("", unicodedata.normalize("NFKC", str(text)).upper())


@cache
def own_wording() -> frozenset[str]:
    """Every Chinese text the workbench writes by itself: the runs of Chinese in its own code and data (its labels,
    headers and the report's sentences), without the demo city's name lists."""
    package = Path(__file__).resolve().parent
    runs = set()
    for path in [*package.rglob("*.py"), *package.rglob("*.yaml")]:
        if path.name != "names.py":
            runs |= {plain(run) for run in CJK_RUN.findall(path.read_text(encoding="utf-8"))}
    return frozenset(runs)


def _cell_text(value) -> str:
    """A cell as text; a number that is whole as its digits (a phone typed as a number is still a phone)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _pieces(path: Path) -> set[str]:
    """A published file's pieces of text: the cells of a workbook; for a page, what lies between its tags and
    quotes (table cells, sentences, the figures' labels)."""
    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        return {_cell_text(v) for name in book.sheet_names for row in book.get_sheet_by_name(name).iter_rows()
                for v in row} - {""}
    text = path.read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text))
    return {piece.strip() for piece in re.split(r"[<>\"\n]", text) if piece.strip()}
