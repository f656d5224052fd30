"""Public bodies: what their WDTK tags mean, and reading WDTK's all-authorities.csv."""

from __future__ import annotations

import collections
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.ids import WDTK_ID_MAX
from bot.ids import wdtk_id as parse_wdtk_id
from bot.laws import law_for
from bot.wording import CONTROLS

# Columns of /body/all-authorities.csv (alaveteli lib/public_body_csv.rb).
CSV_COLUMNS = (
    "Internal ID", "Name", "Short name", "URL name", "Tags", "Home page",
    "Publication scheme", "Disclosure log", "Notes", "Created at", "Updated at", "Version",
)  # fmt: skip
REQUIRED_COLUMNS = ("Name", "URL name", "Tags")
# What Alaveteli's simplify_url_part makes of a name: lower-case letters, digits and `_`
# (`-` too, as config.toml allows it). A url_name goes into /new/<url_name> links, file
# names and reports, so anything else (`../../etc/passwd`, `a?b`, `x#y`) is refused.
URL_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,199}")
# The csv module's default field limit is 128 KiB; a cell that long is not a body.
csv.field_size_limit(1024 * 1024)
# A body's name goes into titles, letters, links, Markdown and terminals, all one line:
# line breaks and tabs (U+2028/2029 too) become a space, other control characters (ESC,
# NUL, DEL, the C1 set) go. Applied where a name comes in: all-authorities.csv, WDTK's
# JSON and [bodies] in config.toml.
_NAME_BREAKS = re.compile("[\t\n\x0b\x0c\r\x85\u2028\u2029]+")


def clean_name(text: str) -> str:
    """A body's name (or short name) on one line, without control characters, nor space
    at either end (a tab or line break before `=` would otherwise leave " =…", which a
    spreadsheet that trims cells reads as a formula)."""
    return CONTROLS.sub("", _NAME_BREAKS.sub(" ", text)).strip()


# Tags that stop a request being made (PublicBody#not_requestable_reason), with the reason
# WDTK gives.
NOT_REQUESTABLE = {
    "defunct": "defunct: the body no longer exists",
    "not_apply": "not_apply: FOI law does not apply to this body",
    "missing_email": "missing_email: WDTK has no address for this body",
}
SCHOOL_TAGS = ("school", "academy_trust")
# The instruments under FOIA s.10(4) that give a school 20 *school* days, at most 60
# working days, by the kind of school. WDTK tags an academy trust `academy_trust` and lists
# academies under `academies`; Northern Ireland's bodies carry `ni` (its /ni page lists
# `/body?tag=ni`), and their GSS codes begin with N (e.g. N09 for its councils).
SCHOOL_INSTRUMENTS = {
    "ni": "SI 2009/1369",  # reg 2: controlled, voluntary, grant-maintained integrated schools
    "academy": "SI 2010/2768",  # academies (Academies Act 2010)
    "maintained": "SI 2004/3364",  # reg 3: maintained schools in England and Wales
}


@dataclass(frozen=True)
class Body:
    url_name: str
    name: str
    short_name: str
    tags: tuple[str, ...] = ()
    wdtk_id: int | None = None
    home_page: str = ""

    @property
    def tag_names(self) -> frozenset[str]:
        # Machine tags look like `gss:E06000023`; their name is the part before the colon.
        return frozenset(tag.split(":", 1)[0] for tag in self.tags)

    @property
    def law(self) -> str:
        return law_for_tags(self.tags)

    def law_for_request(self, *, environmental: bool) -> str:
        """The law a request to this body goes under: `law`, or for a request for
        environmental information EIR/EISR wherever they reach the body."""
        return law_for_tags(self.tags, environmental=environmental)

    @property
    def is_school(self) -> bool:
        return any(tag in self.tag_names for tag in SCHOOL_TAGS)

    @property
    def not_requestable_reason(self) -> str | None:
        for tag, reason in NOT_REQUESTABLE.items():
            if tag in self.tag_names:
                return reason
        return None

    @property
    def requestable(self) -> bool:
        return self.not_requestable_reason is None

    def as_row(self, source: str) -> dict:
        return {
            "url_name": self.url_name,
            "name": self.name,
            "short_name": self.short_name,
            "tags": " ".join(self.tags),
            "law": self.law,
            "is_school": int(self.is_school),
            "requestable": int(self.requestable),
            "not_requestable_reason": self.not_requestable_reason,
            "wdtk_id": self.wdtk_id,
            "home_page": self.home_page,
            "source": source,
        }

    @classmethod
    def from_row(cls, row: dict) -> Body:
        return cls(
            url_name=row["url_name"],
            name=row["name"],
            short_name=row["short_name"] or row["name"],
            tags=tuple((row["tags"] or "").split()),
            wdtk_id=row.get("wdtk_id"),
            home_page=row.get("home_page") or "",
        )


def school_instrument(tags: Iterable[str]) -> str | None:
    """The FOIA s.10(4) instrument that sets a school's time limit, from its WDTK tags
    (SCHOOL_INSTRUMENTS); None for a body that is not a school."""
    tags = tuple(tags)
    names = {tag.split(":", 1)[0] for tag in tags}
    if not names & set(SCHOOL_TAGS):
        return None
    if "ni" in names or any(t.startswith("gss:N") for t in tags):
        return SCHOOL_INSTRUMENTS["ni"]
    if names & {"academy_trust", "academies"}:
        return SCHOOL_INSTRUMENTS["academy"]
    return SCHOOL_INSTRUMENTS["maintained"]


def law_for_tags(tags: Iterable[str], *, environmental: bool = False) -> str:
    """foi, eir, foisa, eisr or none: which law governs requests to a body with these tags.

    `foi_no`: not a public authority under FOIA/FOISA, voluntary requests only (Alaveteli
    `PublicBody#not_subject_to_law?`); with `eir_only` as well, its requests go under EIR.
    `environmental`: the request is for environmental information, so EIR/EISR govern it at
    every public authority (EIR reg 5, EISR reg 5); a `foi_no` body is one only when it is
    tagged `eir_only` (EIR reg 2(2)(c)-(d) bodies), else the request stays voluntary."""
    names = {tag.split(":", 1)[0] for tag in tags}
    subject_to_foi = "foi_no" not in names
    return law_for(
        scottish="scotland" in names,
        environmental="eir_only" in names or (environmental and subject_to_foi),
        subject_to_foi=subject_to_foi,
    )


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


def read_authorities_csv(lines: str | Iterable[str]) -> Iterator[Body | BadRow]:
    """Yield a Body per good row and a BadRow (with its line number) per bad one.

    `lines` is the text, or better a file opened with newline="": read as it is consumed,
    a file of any size then takes the memory of one row. Raises ValueError when the header itself is wrong:
    then nothing can be trusted.
    """
    reader = csv.reader(io.StringIO(lines, newline="") if isinstance(lines, str) else lines)
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError("the file is empty") from None
    except csv.Error as exc:
        raise ValueError(f"line 1: {exc}") from None
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    missing = [col for col in REQUIRED_COLUMNS if col not in header]
    if missing:
        raise ValueError(
            "line 1: not a WDTK all-authorities.csv header; missing column(s) "
            + ", ".join(repr(m) for m in missing)
        )
    counts = collections.Counter(header)  # not header.count() per column: 100k columns
    duplicated = sorted(name for name, n in counts.items() if n > 1)
    if duplicated:
        raise ValueError("line 1: duplicated column(s) " + ", ".join(repr(d) for d in duplicated))
    index = {name: i for i, name in enumerate(header)}
    seen: dict[str, int] = {}  # each url_name's first line: a second is named, not taken
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield BadRow(line, str(exc))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        body = _body_from_cells(cells, index, line)
        if isinstance(body, Body):
            if body.url_name in seen:
                first = seen[body.url_name]
                yield BadRow(line, f"repeats the URL name {body.url_name} of line {first}")
                continue
            seen[body.url_name] = line
        yield body


def _body_from_cells(cells: list[str], index: dict[str, int], line: int) -> Body | BadRow:
    if len(cells) != len(index):
        return BadRow(line, f"expected {len(index)} columns, found {len(cells)}")

    def cell(name: str) -> str:
        return cells[index[name]].strip() if name in index else ""

    url_name, name = cell("URL name"), clean_name(cell("Name"))
    if not URL_NAME_RE.fullmatch(url_name):
        shown = url_name if len(url_name) <= 60 else url_name[:60] + "…"
        return BadRow(line, f"bad URL name {shown!r} (lower-case letters, digits, _ and - only)")
    if not name:
        return BadRow(line, "empty Name")
    wdtk_id = None
    if cell("Internal ID"):
        shown = cell("Internal ID")[:40]
        if not re.fullmatch(r"[0-9]+", cell("Internal ID")):
            return BadRow(line, f"Internal ID is not a number: {shown!r}")
        wdtk_id = parse_wdtk_id(cell("Internal ID"))
        if wdtk_id is None:
            return BadRow(line, f"Internal ID {shown} is not a WDTK id (1 to {WDTK_ID_MAX})")
    return Body(
        url_name=url_name,
        name=name,
        short_name=clean_name(cell("Short name")) or name,
        tags=tuple(cell("Tags").split()),
        wdtk_id=wdtk_id,
        home_page=cell("Home page"),
    )
