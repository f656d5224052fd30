"""Benchmark: how often `foibot hints` proposes the right figure first, over two corpora
of FOI answers (issue 30, item 6, the hint half).

Run: python bench/hints.py [--quick]   (from a checkout)

Written extractions: answers hand-written as extractions in the layouts bodies use, each
with the figures a person would record from it (the known answers): a spreadsheet with a
year per row, one with a year per column and a Total column, a PDF letter whose table
gives financial years, a DOCX letter with the figures in sentences, a redacted table
("<5", "*", withheld under section 40, not held), a scanned page (no text: nothing to
propose), and distractors (a table of other years, a table of grievances, a letter quoting
last year's request and reference numbers). Each answers the same campaign: dismissed,
final_warnings and other_action per year 2021–2023 (and a financial-year variant).

Real files: tests/attachment_files.py's files (PDF letter with a ruled table, 40-page PDF
annex of monthly tables, XLSX a year per row and per column, XLS, ODS, CSV, DOCX, ODT and
RTF letters, WDTK's "view as HTML", a ZIP of a CSV and a DOCX, a scanned page), each read
by the real extractor, bot.extraction.sandbox.extract(), as the fetcher reads an
attachment. They answer "Staff disciplined" and "Staff dismissed" per year 2019–2022; the
figures each holds (FILES) are copied by hand from the builders' docstrings.

  precision:   of the (field, period) cells given a proposal, how many have the right
               value first
  recall:      of the cells with a known figure, how many have the right value among
               their proposals (first or later)
  first right: of the cells with a known figure, how many have the right value first
               (the issue's aim: >= 80%)
  wrong high:  first or later proposals marked high whose value is wrong (aim: none)

Both corpora are scored by the same score(), then together ("overall"). No network; the
extraction runs once (its throughput is bench/extraction.py's), then --quick scores each
corpus once instead of timing 20 rounds.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass

from _common import aim, machine_line  # puts the checkout on sys.path

from bot.config_fields import FieldSpec
from bot.errors import UsageError
from bot.extraction.model import Cell, Extraction, Segment, Table
from bot.reports.figures import parse_figure
from bot.rules.hints import HIGH, Source, propose

YEARS = ("2021", "2022", "2023")
FIELDS = (
    FieldSpec("dismissed", "int", "Staff dismissed for social media misuse", YEARS),
    FieldSpec("final_warnings", "int", "Final written warnings", YEARS),
    FieldSpec("other_action", "int", "Other disciplinary action (written warnings, etc.)", YEARS),
)
FY = ("2020-21", "2021-22", "2022-23")
FY_FIELDS = (
    FieldSpec("dismissed", "int", "Staff dismissed for social media misuse", FY),
    FieldSpec("final_warnings", "int", "Final written warnings", FY),
)


def accepts(spec: FieldSpec, value: str) -> bool:
    try:
        parse_figure(spec, value)
    except UsageError:
        return False
    return True


def sheet(name: str, rows: list[list[str]]) -> Table:
    cols = "ABCDEFGHIJ"
    return Table(tuple(tuple(Cell(f"{cols[c]}{r + 1}", t) for c, t in enumerate(row))
                       for r, row in enumerate(rows)), sheet=name)  # fmt: skip


def grid(rows: list[list[str]], page: int | None = None) -> Table:
    return Table(tuple(tuple(Cell(f"row {r + 1}, column {c + 1}", t) for c, t in enumerate(row))
                       for r, row in enumerate(rows)), page=page)  # fmt: skip


def read(kind: str, *, tables=(), text: str = "", page: int | None = None, **kw) -> Extraction:
    segments = tuple(Segment(chunk, page=page, **kw) for chunk in [text] if chunk)
    return Extraction("read", kind, tables=tuple(tables), segments=segments)


# (name, fields, sources, known figures by value key)
CORPUS = [
    (
        "spreadsheet, a year per row",
        FIELDS,
        [
            Source(
                "FOI 2024-0113 data.xlsx",
                read(
                    "xlsx",
                    tables=[
                        sheet(
                            "Data",
                            [
                                [
                                    "Calendar year",
                                    "Dismissals",
                                    "Final written warnings",
                                    "Other disciplinary action",
                                ],
                                ["2021", "2", "4", "11"],
                                ["2022", "0", "3", "9"],
                                ["2023", "1", "5", "14"],
                                ["Total", "3", "12", "34"],
                            ],
                        )
                    ],
                ),
            ),
            Source(
                "reply e-mail", read("email", text="Please find attached our response.", line=1)
            ),
        ],
        {
            "dismissed:2021": "2",
            "dismissed:2022": "0",
            "dismissed:2023": "1",
            "final_warnings:2021": "4",
            "final_warnings:2022": "3",
            "final_warnings:2023": "5",
            "other_action:2021": "11",
            "other_action:2022": "9",
            "other_action:2023": "14",
        },
    ),
    (
        "spreadsheet, a year per column",
        FIELDS,
        [
            Source(
                "Annex A.xlsx",
                read(
                    "xlsx",
                    tables=[
                        sheet(
                            "Sheet1",
                            [
                                [
                                    "Table 1: outcomes of cases involving social media",
                                    "",
                                    "",
                                    "",
                                    "",
                                ],
                                ["Outcome", "2021", "2022", "2023", "Total"],
                                ["Dismissal", "6", "3", "4", "13"],
                                ["Final written warning", "2", "1", "0", "3"],
                                ["No further action", "15", "12", "9", "36"],
                            ],
                        )
                    ],
                ),
            ),
        ],
        {
            "dismissed:2021": "6",
            "dismissed:2022": "3",
            "dismissed:2023": "4",
            "final_warnings:2021": "2",
            "final_warnings:2022": "1",
            "final_warnings:2023": "0",
        },
    ),
    (
        "PDF letter, a financial-year table",
        FY_FIELDS,
        [
            Source(
                "FOI response.pdf",
                read(
                    "pdf",
                    page=1,
                    text=(
                        "Our ref: FOI/2023/0456\nDear requester,\nYou asked for the number of staff "
                        "dismissed for misuse of social media. The table below gives the figures by "
                        "financial year."
                    ),
                ),
                "2026-03-20",
            ),
            Source(
                "FOI response.pdf",
                Extraction(
                    "read",
                    "pdf",
                    tables=(
                        grid(
                            [
                                ["Financial year", "Dismissed", "Final written warning"],
                                ["2019/20", "4", "2"],
                                ["2020/21", "5", "1"],
                                ["2021/22", "3", "<5"],
                                ["2022/23", "8", "2"],
                            ],
                            page=2,
                        ),
                    ),
                ),
                "2026-03-20",
            ),
        ],
        {
            "dismissed:2020-21": "5",
            "dismissed:2021-22": "3",
            "dismissed:2022-23": "8",
            "final_warnings:2020-21": "1",
            "final_warnings:2021-22": "<5",
            "final_warnings:2022-23": "2",
        },
    ),
    (
        "DOCX letter, figures in sentences",
        FIELDS,
        [
            Source(
                "Response letter.docx",
                read(
                    "docx",
                    line=4,
                    text=(
                        "Thank you for your request of 2 March 2026. In 2021, 3 members of staff were "
                        "dismissed for misuse of social media. In 2022 no members of staff were dismissed. "
                        "Fewer than five members of staff were dismissed in 2023. In 2022, 4 final written "
                        "warnings were issued. We do not hold information on other action taken in 2021."
                    ),
                ),
            ),
        ],
        {
            "dismissed:2021": "3",
            "dismissed:2022": "0",
            "dismissed:2023": "<5",
            "final_warnings:2022": "4",
            "other_action:2021": "not_held",
        },
    ),
    (
        "redacted table",
        FIELDS,
        [
            Source(
                "Disclosure.pdf",
                Extraction(
                    "read",
                    "pdf",
                    tables=(
                        grid(
                            [
                                ["", "2021", "2022", "2023"],
                                ["Dismissed", "<5", "<5", "0"],
                                ["Final written warnings", "withheld under section 40", "6", "<5"],
                                ["Other disciplinary action", "*", "12", "Not held"],
                            ],
                            page=1,
                        ),
                    ),
                ),
            ),
        ],
        {
            "dismissed:2021": "<5",
            "dismissed:2022": "<5",
            "dismissed:2023": "0",
            "final_warnings:2021": "withheld:s40",
            "final_warnings:2022": "6",
            "final_warnings:2023": "<5",
            "other_action:2022": "12",
            "other_action:2023": "not_held",
        },
    ),
    (
        "scanned page",
        FIELDS,
        [
            Source("scan.pdf", Extraction("scanned", "pdf", reason="scanned: no text", pages=2)),
        ],
        {},
    ),
    (
        "distractors beside the answer",
        FIELDS,
        [
            Source(
                "Previous FOI.xlsx",
                read(
                    "xlsx",
                    tables=[
                        sheet("2018", [["Year", "Dismissed"], ["2017", "9"], ["2018", "12"]]),
                        sheet(
                            "Grievances",
                            [
                                ["Year", "Grievances raised", "Appeals"],
                                ["2021", "40", "7"],
                                ["2022", "38", "5"],
                            ],
                        ),
                    ],
                ),
            ),
            Source(
                "reply e-mail",
                read(
                    "email",
                    line=2,
                    text=(
                        "Your request FOI 2021/118 asked about 2019. In 2021 we answered 1,204 requests. "
                        "In 2022, 5 members of staff were dismissed for misuse of social media."
                    ),
                ),
            ),
        ],
        {"dismissed:2022": "5"},
    ),
]


# -- the real files: tests/attachment_files.py, each read by the extractor ---------------

# The campaign those files answer (their module docstring): staff disciplined and dismissed
# per calendar year 2019–2022.
FILE_YEARS = ("2019", "2020", "2021", "2022")
FILE_FIELDS = (
    FieldSpec("disciplined", "int", "Staff disciplined", FILE_YEARS),
    FieldSpec("dismissed", "int", "Staff dismissed", FILE_YEARS),
)
# The figures of the files' FIGURES table, copied by hand from its docstring (2020's
# dismissed figure is redacted as "<5").
ALL_YEARS = {
    "disciplined:2019": "12",
    "disciplined:2020": "9",
    "disciplined:2021": "14",
    "disciplined:2022": "7",
    "dismissed:2019": "3",
    "dismissed:2020": "<5",
    "dismissed:2021": "4",
    "dismissed:2022": "0",
}
TWO_YEARS = {
    "disciplined:2019": "12",
    "disciplined:2020": "9",
    "dismissed:2019": "3",
    "dismissed:2020": "<5",
}
# (name, attachment name, the builder in tests/attachment_files.py, known figures), each
# known set written from the builder's docstring.
FILES = [
    ("PDF letter, a ruled table", "FOI response.pdf", "foi_response_pdf", ALL_YEARS),
    # Months of cases opened and closed: no field and no year the campaign asks for.
    ("40-page PDF annex, monthly tables", "Annex.pdf", "long_response_pdf", {}),
    ("XLSX, a year per row", "figures.xlsx", "xlsx_year_per_row", ALL_YEARS),
    ("XLSX, a year per column", "Summary.xlsx", "xlsx_year_per_column", ALL_YEARS),
    ("XLS, a year per row", "figures.xls", "xls_year_per_row", ALL_YEARS),
    ("ODS, a year per row", "figures.ods", "ods_year_per_row", ALL_YEARS),
    ("CSV in Windows-1252", "figures.csv", "csv_figures", ALL_YEARS),
    # A table of 2019 and 2020, and the sentence "In 2021, 3 members of staff were dismissed."
    ("DOCX letter, table and sentence", "letter.docx", "docx_letter",
     {**TWO_YEARS, "dismissed:2021": "3"}),
    # "In 2020, fewer than five members of staff were dismissed." and a table of 2020.
    ("ODT letter, table and sentence", "letter.odt", "odt_letter",
     {"disciplined:2020": "9", "dismissed:2020": "<5"}),
    # "In 2022, 7 members of staff were disciplined."
    ("RTF letter, a sentence", "letter.rtf", "rtf_letter", {"disciplined:2022": "7"}),
    ("HTML (view as HTML), a table", "response.html", "html_response", TWO_YEARS),
    # The CSV's eight figures, and the DOCX letter saying 3 were dismissed in 2021 where the
    # CSV says 4: the body's table of figures is taken as the answer; the two disagree, so
    # neither may be proposed as high.
    ("ZIP of a CSV and a DOCX letter", "bundle.zip", "zip_bundle", ALL_YEARS),
    # A picture of "In 2021, 14 members of staff were disciplined": no text layer.
    ("scanned page", "scan.pdf", "scanned_pdf", {}),
]  # fmt: skip


def file_corpus() -> tuple[list, float]:
    """FILES read by the real extractor (each in its limited worker process, as the
    fetcher reads an attachment), in CORPUS's shape; and the seconds the reading took."""
    from bot.extraction.sandbox import extract
    from tests import attachment_files

    out, took = [], 0.0
    for name, filename, builder, figures in FILES:
        data = getattr(attachment_files, builder)()
        started = time.perf_counter()
        extraction = extract(data, filename)
        took += time.perf_counter() - started
        out.append((name, FILE_FIELDS, [Source(filename, extraction)], figures))
    return out, took


@dataclass
class Tally:
    known: int = 0  # (field, period) cells with a known figure
    right: int = 0  # of those, the cells whose first proposal is the known figure
    anywhere: int = 0  # of those, the cells where the known figure is proposed at all
    proposed: int = 0  # cells given any proposal
    wrong_high: int = 0  # proposals marked high whose value is not the known figure

    def add(self, other: Tally) -> None:
        for name in ("known", "right", "anywhere", "proposed", "wrong_high"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def score(label: str, corpus: list, repeat: int) -> Tally:
    """Score `propose` over one corpus, print a line per answer, the corpus's figures and
    its aims; return its tally."""
    total = Tally()
    started = time.perf_counter()
    for _ in range(repeat):
        results = [(name, propose(fields, sources, accepts), figures)
                   for name, fields, sources, figures in corpus]  # fmt: skip
    took = (time.perf_counter() - started) / repeat
    print(f"-- {label}")
    for name, found, figures in results:
        got = sum(1 for k, v in figures.items() if k in found and found[k][0].value == v)
        anywhere = sum(1 for k, v in figures.items() if any(p.value == v for p in found.get(k, ())))
        wrong = [(k, p.value) for k, ps in found.items() for p in ps
                 if p.confidence == HIGH and figures.get(k) != p.value]  # fmt: skip
        extra = [k for k in found if k not in figures]
        print(
            f"{name:36} {got}/{len(figures)} right first; {len(found)} cells proposed"
            + (f"; wrong high {wrong}" if wrong else "")
            + (f"; extra {extra}" if extra else "")
        )
        total.add(Tally(len(figures), got, anywhere, len(found), len(wrong)))
    print(f"time      {took * 1000:.1f} ms for the corpus ({len(corpus)} answers)")
    report(label, total)
    return total


def report(label: str, t: Tally) -> None:
    precision = t.right / t.proposed if t.proposed else 1.0
    recall = t.anywhere / t.known if t.known else 1.0
    first = t.right / t.known if t.known else 1.0
    print(f"precision {precision:.0%} ({t.right}/{t.proposed} first proposals right)")
    print(f"recall    {recall:.0%} ({t.anywhere}/{t.known} known figures proposed at all)")
    aim(f"{label}: first proposal right", ">= 80% of (field, period) cells",
        f"{first:.0%} ({t.right}/{t.known})", first >= 0.8)  # fmt: skip
    aim(f"{label}: wrong proposal marked high", "0", str(t.wrong_high), t.wrong_high == 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round instead of 20")
    args = parser.parse_args()
    print(machine_line("hints.py", args.quick))
    repeat = 1 if args.quick else 20
    files, reading = file_corpus()
    print(f"read {len(files)} files with extract() in {reading:.2f} s")
    overall = score("written extractions", CORPUS, repeat)
    overall.add(score("real files, extracted", files, repeat))
    print("-- overall")
    report("overall", overall)
    return 0


if __name__ == "__main__":
    sys.exit(main())
