"""Issue 30, item 5: figures proposed from the tables and sentences of what bodies sent
(bot/rules/hints.py), over hand-built extractions. Every expected value, cell and
confidence below is read off the table or sentence written beside it."""

from __future__ import annotations

from bot.config_fields import FieldSpec
from bot.errors import UsageError
from bot.extraction.model import Cell, Extraction, Segment, Table
from bot.reports.figures import parse_figure
from bot.rules.hints import HIGH, LOW, MEDIUM, Source, email_source, propose
from bot.rules.periods import period_key

YEARS = ("2021", "2022", "2023")
FIELDS = (
    FieldSpec("dismissed", "int", "Staff dismissed for social media misuse", YEARS),
    FieldSpec("final_warnings", "int", "Final written warnings", YEARS),
    FieldSpec("other_action", "int", "Other disciplinary action (written warnings, etc.)", YEARS),
    FieldSpec("notes", "text", "Anything else the reply said"),
)
FY_FIELDS = (FieldSpec("dismissed", "int", "Staff dismissed", ("2020-21", "2021-22")),)


def accepts(spec: FieldSpec, value: str) -> bool:
    try:
        parse_figure(spec, value)
    except UsageError:
        return False
    return True


def sheet(name: str, rows: list[list[str]]) -> Table:
    """A spreadsheet table with A1 refs."""
    return Table(
        tuple(
            tuple(Cell(f"{chr(65 + c)}{r + 1}", text) for c, text in enumerate(row))
            for r, row in enumerate(rows)
        ),
        sheet=name,
    )


def grid(rows: list[list[str]], page: int | None = None) -> Table:
    """A PDF or DOCX table: "row R, column C" refs."""
    return Table(
        tuple(
            tuple(Cell(f"row {r + 1}, column {c + 1}", text) for c, text in enumerate(row))
            for r, row in enumerate(rows)
        ),
        page=page,
    )


def source(name: str, *tables: Table, text: str = "", kind: str = "xlsx", page=None) -> Source:
    segments = (Segment(text, page=page),) if text else ()
    return Source(name, Extraction("read", kind, tables=tables, segments=segments), "2026-03-20")


def top(found, key):
    p = found[key][0]
    return p.value, p.where, p.confidence


def test_year_per_row_sheet():
    table = sheet("Figures", [
        ["Year", "Dismissed", "Final written warnings"],
        ["2021", "3", "1"],
        ["2022", "<5", "0"],
        ["2023", "12", "nil"],
        ["Total", "20", "1"],
    ])  # fmt: skip
    found = propose(FIELDS, [source("Annex A.xlsx", table)], accepts)
    assert top(found, "dismissed:2021") == ("3", "sheet Figures, cell B2", HIGH)
    assert top(found, "dismissed:2022") == ("<5", "sheet Figures, cell B3", HIGH)
    assert top(found, "dismissed:2023") == ("12", "sheet Figures, cell B4", HIGH)
    assert top(found, "final_warnings:2022") == ("0", "sheet Figures, cell C3", HIGH)
    assert top(found, "final_warnings:2023") == ("0", "sheet Figures, cell C4", HIGH)
    assert found["final_warnings:2021"][0].origin == "Annex A.xlsx, sheet Figures, cell C2"
    assert not any(k.startswith("other_action") for k in found)  # no column names it
    assert set(found) == {f"{f}:{y}" for f in ("dismissed", "final_warnings") for y in YEARS}


def test_year_per_column_sheet():
    table = sheet("FOI 1234", [
        ["Outcome", "2021", "2022", "2023", "Total"],
        ["Dismissal", "2", "4", "0", "6"],
        ["Final written warning", "1", "withheld under section 40", "3", ""],
    ])  # fmt: skip
    found = propose(FIELDS, [source("response.xlsx", table)], accepts)
    assert top(found, "dismissed:2021") == ("2", "sheet FOI 1234, cell B2", HIGH)
    assert top(found, "dismissed:2023") == ("0", "sheet FOI 1234, cell D2", HIGH)
    assert top(found, "final_warnings:2022") == ("withheld:s40", "sheet FOI 1234, cell C3", HIGH)
    assert found["final_warnings:2022"][0].raw == "withheld under section 40"
    assert len(found) == 6  # the Total column names no period


def test_pdf_table_page_with_financial_years():
    table = grid([
        ["Financial year", "Number of staff dismissed"],
        ["2019/20", "9"],
        ["2020/21", "7"],
        ["April 2021 to March 2022", "fewer than five"],
    ], page=2)  # fmt: skip
    found = propose(FY_FIELDS, [source("letter.pdf", table, kind="pdf")], accepts)
    assert top(found, "dismissed:2020-21") == ("7", "page 2, row 3, column 2", HIGH)
    assert top(found, "dismissed:2021-22") == ("<5", "page 2, row 4, column 2", HIGH)
    assert set(found) == {"dismissed:2020-21", "dismissed:2021-22"}  # 2019/20 not asked


def test_docx_sentences():
    text = (
        "Thank you for your request of 3 March 2026 (FOI/2026/0456).\n\n"
        "In 2021, 3 members of staff were dismissed for misuse of social media. "
        "In 2022 two employees were dismissed and 5 received a final written warning. "
        "Fewer than five members of staff were dismissed in 2023. "
        "In 2021 and 2022, 7 were given other sanctions."
    )
    found = propose(FIELDS, [source("letter.docx", text=text, kind="docx")], accepts)
    assert top(found, "dismissed:2021")[::2] == ("3", HIGH)
    assert top(found, "dismissed:2022")[::2] == ("2", HIGH)
    assert top(found, "final_warnings:2022")[::2] == ("5", HIGH)
    assert top(found, "dismissed:2023")[::2] == ("<5", HIGH)
    assert found["dismissed:2021"][0].raw.startswith("In 2021, 3 members")
    assert set(found) == {
        "dismissed:2021",
        "dismissed:2022",
        "final_warnings:2022",
        "dismissed:2023",
    }  # fmt: skip  — the two-year sentence is left


def test_redacted_table_and_reasons():
    table = grid([
        ["", "2021", "2022", "2023"],
        ["Dismissed", "<5", "*", "Not held"],
        ["Final written warnings", "≤10", "n/a", "redacted (s.40(2))"],
    ])  # fmt: skip
    found = propose(FIELDS, [source("reply.pdf", table, kind="pdf")], accepts)
    assert top(found, "dismissed:2021")[0] == "<5"
    assert "dismissed:2022" not in found  # a bare footnote mark is no figure
    assert top(found, "dismissed:2023")[0] == "not_held"
    assert top(found, "final_warnings:2021")[0] == "<=10"
    assert top(found, "final_warnings:2022")[0] == "n/a"
    assert top(found, "final_warnings:2023")[0] == "withheld:s40"


def test_distractor_tables_propose_nothing():
    other_years = sheet("Old", [["Year", "Dismissed"], ["2017", "8"], ["2018", "9"]])
    other_field = sheet("Grievances", [["Year", "Grievances lodged"], ["2021", "40"]])
    complaints = grid([["Complaints received", "2021", "2022"], ["Total", "112", "98"]])
    found = propose(
        FIELDS, [source("a.xlsx", other_years, other_field), source("b.pdf", complaints)], accepts
    )
    assert found == {}


def test_ambiguous_header_is_never_high():
    # "Warnings" could be final written warnings or other action (written warnings).
    table = sheet("S", [["Year", "Warnings"], ["2021", "6"]])
    found = propose(FIELDS, [source("x.xlsx", table)], accepts)
    assert all(p.confidence != HIGH for ps in found.values() for p in ps)
    # "Disciplined" is only in other_action's description: a weak match, medium at best.
    said = source("y.docx", text="In 2022, 7 members of staff were disciplined.", kind="docx")
    found = propose(FIELDS, [said], accepts)
    assert [(p.value, p.confidence) for p in found["other_action:2022"]] == [("7", MEDIUM)]


def test_disagreeing_sources_lose_high_confidence_and_later_reply_first():
    first = Source(
        "a.xlsx",
        Extraction("read", "xlsx", tables=(sheet("S", [["Year", "Dismissed"], ["2021", "3"]]),)),
        "2026-03-20T09:00:00+00:00",
    )
    second = Source(
        "b.xlsx",
        Extraction("read", "xlsx", tables=(sheet("S", [["Year", "Dismissed"], ["2021", "4"]]),)),
        "2026-04-20T09:00:00+00:00",
    )
    found = propose(FIELDS, [first, second], accepts)["dismissed:2021"]  # fmt: skip
    assert [(p.value, p.source, p.confidence) for p in found] == [
        ("4", "b.xlsx", MEDIUM), ("3", "a.xlsx", MEDIUM)
    ]  # fmt: skip


def test_agreement_ranks_first_and_record_refusals_are_dropped():
    capped = (FieldSpec("dismissed", "int", "", YEARS, max=100),)
    tables = (sheet("S", [["Year", "Dismissed"], ["2021", "3"], ["2022", "500"]]),)
    body = email_source(
        "In 2021, 3 staff were dismissed.\nIn 2021 a table said 9 dismissals", "2026"
    )
    found = propose(capped, [Source("a.xlsx", Extraction("read", "xlsx", tables=tables)), body],
                    accepts)  # fmt: skip
    assert [(p.value, p.agreeing) for p in found["dismissed:2021"]][0] == ("3", 2)
    assert found["dismissed:2021"][1].value == "9"
    assert found["dismissed:2021"][1].where == "line 2"
    assert "dismissed:2022" not in found  # 500 is over the field's max: record would refuse it


def test_single_field_guess_from_a_bare_number_column_is_low():
    one = (FieldSpec("dismissed", "int", "", YEARS),)
    found = propose(one, [source("x.xlsx", sheet("S", [["Year", "Number"], ["2021", "5"]]))],
                    accepts)  # fmt: skip
    assert [(p.value, p.confidence) for p in found["dismissed:2021"]] == [("5", LOW)]


def test_period_labels():
    assert period_key("2021") == ("cy", 2021)
    assert period_key("2020-21") == period_key("2020_21") == ("fy", 2020)
    assert period_key("FY2020-21") == period_key("2020-2021") == ("fy", 2020)
    assert period_key("Q1") == ("label", "q1")
    assert period_key("1999-01") == ("label", "1999-01")  # not a year and the next


def test_unread_attachments_are_passed_over():
    broken = Source("x.pdf", Extraction("unreadable", "pdf", reason="bomb"))
    assert propose(FIELDS, [broken], accepts) == {}


def test_a_sentence_with_a_figure_per_year_is_read_clause_by_clause():
    """ "2 staff dismissed in 2021, 1 in 2022": each clause names its own year and figure;
    the second borrows the field of the first. Proposed, but never high: the pairing is
    read from the wording. Where the years share one figure, nothing is proposed."""
    text = (
        "GMP response: 2 staff dismissed in 2021, 1 in 2022. "
        "In 2021, 4 final written warnings were given; in 2022, 6; in 2023, none. "
        "In 2022 and 2023, 7 were given other sanctions."
    )
    found = propose(FIELDS, [email_source(text, "2026-03-20")], accepts)
    assert top(found, "dismissed:2021")[::2] == ("2", MEDIUM)
    assert top(found, "dismissed:2022")[::2] == ("1", MEDIUM)
    assert top(found, "final_warnings:2021")[::2] == ("4", MEDIUM)
    assert top(found, "final_warnings:2022")[::2] == ("6", MEDIUM)
    assert top(found, "final_warnings:2023")[::2] == ("0", MEDIUM)
    assert not any(k.startswith("other_action") for k in found)
    assert set(found) == {"dismissed:2021", "dismissed:2022", "final_warnings:2021",
                          "final_warnings:2022", "final_warnings:2023"}  # fmt: skip


def read(name: str, data: bytes) -> Source:
    """An attachment as foibot's own readers take it: a spreadsheet row holds only its
    filled cells, each with its A1 reference."""
    from bot.extraction.collect import Collector
    from bot.extraction.sheets import read_csv, read_xlsx

    reader = read_xlsx if name.endswith(".xlsx") else read_csv
    return Source(name, reader(data, Collector()), "2026-03-20")


def xlsx(rows: list[list[object]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_blank_cell_never_moves_a_figure_to_the_next_year_or_field():
    # A1 left empty (the usual corner), a blank among the values, a blank in a year row:
    # each figure stays under its own column's header.
    corner = read("corner.xlsx", xlsx([[None, 2021, 2022, 2023], ["Dismissed", 1, 2, 3]]))
    found = propose(FIELDS, [corner], accepts)
    assert [top(found, f"dismissed:{y}") for y in YEARS] == [
        ("1", "sheet Sheet, cell B2", HIGH),
        ("2", "sheet Sheet, cell C2", HIGH),
        ("3", "sheet Sheet, cell D2", HIGH),
    ]
    gap = read("gap.csv", b"Outcome,2021,2022,2023\nDismissed,1,,3\n")
    found = propose(FIELDS, [gap], accepts)
    assert top(found, "dismissed:2021") == ("1", "cell B2", HIGH)
    assert top(found, "dismissed:2023") == ("3", "cell D2", HIGH)
    assert "dismissed:2022" not in found
    rows = read("rows.csv", b"Year,Dismissed,Final written warnings\n2021,2,1\n2022,,7\n")
    found = propose(FIELDS, [rows], accepts)
    assert top(found, "final_warnings:2022") == ("7", "cell C3", HIGH)
    assert "dismissed:2022" not in found


def test_two_tables_of_one_reply_giving_a_figure_are_never_sure_even_agreeing():
    """A sheet for police officers and one for police staff: each gives part of the
    figure. Where they happen to agree (2023) it is not confirmation but a sum to make."""
    officers = sheet("Police officers", [["Outcome", "2022", "2023"], ["Dismissed", "3", "2"]])
    staff = sheet("Police staff", [["Outcome", "2022", "2023"], ["Dismissed", "1", "2"]])
    found = propose(FIELDS, [source("kent.xlsx", officers, staff)], accepts)
    assert [p.confidence for p in found["dismissed:2023"]] == [MEDIUM]
    assert {p.value: p.confidence for p in found["dismissed:2022"]} == {"3": MEDIUM, "1": MEDIUM}
    # One table in each of two replies that agree: that is confirmation.
    again = propose(FIELDS, [source("a.xlsx", officers), source("b.xlsx", officers)], accepts)
    assert top(again, "dismissed:2023")[2] == HIGH


def test_a_period_named_as_one_end_of_a_span_proposes_nothing():
    """ "Since 2024, 6 staff have been dismissed" covers 2024 and after: no figure for 2024
    alone. "In 2022, 4 were dismissed" still is one."""
    for text in ("Since 2022, 6 staff have been dismissed.",
                 "Before 2023, 6 staff were dismissed.",
                 "From 2021 onwards 6 staff were dismissed.",
                 "6 staff were dismissed from the start of 2022 to date."):  # fmt: skip
        reply = Source("reply e-mail", Extraction("read", "text", segments=(Segment(text),)), "")
        assert propose(FIELDS, [reply], accepts) == {}, text
    one = Segment("In 2022, 4 staff were dismissed.")
    found = propose(FIELDS, [Source("e", Extraction("read", "text", segments=(one,)), "")], accepts)
    assert top(found, "dismissed:2022")[0] == "4"
