"""A campaign's results table (`bot.reports.results`) as wide or tidy CSV, Markdown, JSON
or HTML. Pure."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from bot.reports.results import Cell, Column, ResultsTable
from bot.reports.table_formats import neutralise


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]], excel: bool) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise("" if v is None else v) for v in row] for row in rows)
    data = buf.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if excel else data


def to_wide_csv(table: ResultsTable, *, excel: bool = False) -> bytes:
    """The table as shown: a row per body, a column per field and period (headed by the
    descriptions), the totals last. Cells read as in the table: `3`, `<5`, `not held`."""
    columns = table.columns
    header = ["Body", "Ref", *(c.label for c in columns), *(s.label for s in table.text_fields)]
    hinted = bool(table.hinted)
    if hinted:
        header.append(HINT_HEADING)
    rows = [
        [
            r.body_name,
            " ".join(r.refs),
            *(_wide(c) for c in r.cells),
            *(dict(r.notes).get(s.label, "") for s in table.text_fields),
            *([_row_hints(columns, r.cells)] if hinted else []),
        ]
        for r in table.rows
    ]
    rows.append(["Total", "", *(_wide(c) for c in table.totals), *("" for _ in table.text_fields),
                 *([""] if hinted else [])])  # fmt: skip
    return _csv(header, rows, excel)


# The column (wide CSV) and footnote that say which figures came from an accepted hint.
HINT_HEADING = "From accepted hints"
HINT_MARK = "†"
HINT_NOTE = (
    f"{HINT_MARK} Proposed by `foibot hints` from the body's reply and accepted with "
    "`foibot record --accept-hints`, not typed in:"
)


def _row_hints(columns: Sequence[Column], cells: Sequence[Cell]) -> str:
    return "; ".join(f"{col.label}: {c.hint}" for col, c in zip(columns, cells, strict=True)
                     if c.hint)  # fmt: skip


def _wide(c: Cell) -> Any:
    if c.kind == "number" and c.figure is not None:
        return c.figure.value  # a number a spreadsheet can sum, not "1,204"
    if c.kind == "total" and c.note:
        return f"{c.text} ({c.note})"
    return c.text


TIDY_COLUMNS = (
    "body", "body_name", "ref", "field", "description", "period", "value", "number",
    "qualifier", "exemption", "text", "status", "hint_source",
)  # fmt: skip


def to_tidy_csv(table: ResultsTable, *, excel: bool = False) -> bytes:
    """One row per body × field × period, for R, pandas or a pivot table: `value` as
    shown; `number` the number given, a bound's too (`<5`: number 5, qualifier `<`), so
    filter on `qualifier` before summing; `qualifier` "" for an exact number, else <, <=,
    >, >=, or the reason there is no number (withheld, not_held, refused, n/a, as
    `foibot record` stores them); `exemption` apart (`withheld:s40` → s40); `text` the
    words of a text field, which gets a row per body too. Totals are left out: they
    derive from the rows."""
    rows = []
    columns = table.columns
    for r in table.rows:
        waiting = r.waiting
        for col, c in zip(columns, r.cells, strict=True):
            if col.total:
                continue
            fig = c.figure
            number = fig.value if fig is not None and _is_number(fig.value) else ""
            rows.append(
                [
                    r.body, r.body_name, " ".join(r.refs), col.field.name, col.field.description,
                    col.period or "", c.text if fig is None else fig.text, number,
                    fig.qualifier if fig is not None else "",
                    fig.exemption if fig is not None else "", "", waiting, c.hint,
                ]
            )  # fmt: skip
        notes = dict(r.notes)
        for spec in table.text_fields:
            text = notes.get(spec.label, "")
            rows.append(
                [
                    r.body, r.body_name, " ".join(r.refs), spec.name, spec.description, "",
                    text, "", "", "", text, waiting, "",
                ]
            )  # fmt: skip
    return _csv(TIDY_COLUMNS, rows, excel)


def _is_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# Where CommonMark reads raw HTML (a tag, `</`, `<!--`, `<!DOCTYPE`, `<?`) or an autolink:
# a `<` followed by a letter, `/`, `!` or `?`. `<5` stays as it is, which it renders as.
_MD_HTML = re.compile(r"<(?=[A-Za-z/!?])")


def _md(text: str) -> str:
    """Text for a Markdown table cell: `|` escaped, one line, no raw HTML and no link or
    image: a body name or note such as `<img src=x onerror=…>` or `![](https://…)` is
    shown as text by every Markdown renderer (an opening bracket escaped: nothing links)."""
    for mark in "\\|[":  # the backslash first: "\\[" must not unescape a bracket
        text = text.replace(mark, "\\" + mark)
    return _MD_HTML.sub("&lt;", text.replace("\n", " "))


def to_markdown(table: ResultsTable) -> str:
    """A Markdown table per field with periods (body × period, then the total), and one
    table for the fields without: ready to paste into an article."""
    out = [f"## {_md(table.heading)}", "", f"Figures as recorded by {table.as_of.isoformat()}.", ""]
    index = {c.key: i for i, c in enumerate(table.columns)}
    for title, cols in _md_sections(table):
        out += _md_section(table, title, cols, index)
    out += [
        'A total adds up the figures the bodies gave. "Not held", "n/a", withheld and '
        "refused answers are not counted, never as 0. A total marked ≥ is at least that "
        "much: some body withheld or refused the figure, gave only a bound (such as >100), "
        "or has no figure recorded yet. A bound such as <5 adds 0 to 4.",
        "",
    ]
    if table.hinted:
        out += [HINT_NOTE, ""]
        out += [f"- **{_md(r.body_name)}**, {_md(col.label)}: {_md(c.text)} from {_md(c.hint)}"
                for r, col, c in table.hinted]  # fmt: skip
        out.append("")
    notes = [(r.body_name, label, text) for r in table.rows for label, text in r.notes]
    if notes:
        out += ["### Notes", ""]
        out += [f"- **{_md(name)}** ({_md(label)}): {_md(text)}" for name, label, text in notes]
        out.append("")
    return "\n".join(out)


def _md_sections(table: ResultsTable) -> list[tuple[str, list[Column]]]:
    """(title, columns) per field with periods, then ("", the single-value columns)."""
    single = [g for g in table.groups if not g.field.periods]
    sections: list[tuple[str, list[Column]]] = [
        (g.field.label, list(g.columns)) for g in table.groups if g.field.periods
    ]
    if single:
        sections.append(("", [c for g in single for c in g.columns]))
    return sections


def _md_section(
    table: ResultsTable, title: str, cols: list[Column], index: dict[str, int]
) -> list[str]:
    out = [f"### {_md(title)}", ""] if title else []
    heads = [c.sub_label if title else c.field.label for c in cols]
    out.append("| Body | " + " | ".join(_md(h) for h in heads) + " |")
    out.append("|:--|" + "--:|" * len(cols))
    for r in table.rows:
        cells = [_md_cell(r.cells[index[c.key]]) for c in cols]
        name = _md(r.body_name) + (f" ({_md(r.waiting)})" if r.waiting else "")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = [table.totals[index[c.key]] for c in cols]
    out.append(
        "| **Total** | " + " | ".join(f"**{_md(t.text)}**" if t.text else "" for t in totals) + " |"
    )
    counts = [f"- {c.label}: {t.note}" for c, t in zip(cols, totals, strict=True) if t.note]
    out.append("")
    if counts:
        out += ["What each total counts:", "", *(_md(x) for x in counts), ""]
    return out


def _md_cell(c: Cell) -> str:
    return (_md(c.text) or "–") + (HINT_MARK if c.hint else "")


def to_json(table: ResultsTable) -> dict[str, Any]:
    columns = table.columns
    return {
        "campaign": table.campaign,
        "title": table.heading,
        "as_of": table.as_of.isoformat(),
        "columns": [
            {
                "key": c.key,
                "field": c.field.name,
                "description": c.field.description,
                "period": c.period,
                "total": c.total,
            }
            for c in columns
        ],  # fmt: skip
        "rows": [
            {
                "body": r.body,
                "body_name": r.body_name,
                "refs": list(r.refs),
                "status": r.status,
                "waiting": r.waiting or None,
                "values": {col.key: _json_cell(c) for col, c in zip(columns, r.cells, strict=True)},
                "notes": dict(r.notes),
            }
            for r in table.rows
        ],
        "totals": {col.key: _json_cell(c) for col, c in zip(columns, table.totals, strict=True)},
    }


def _json_cell(c: Cell) -> dict[str, Any] | None:
    if c.kind == "empty":
        return None
    if c.kind == "total":
        return {"text": c.text, "note": c.note or None, "counted": c.counted,
                "missing": c.missing}  # fmt: skip
    fig = c.figure
    assert fig is not None
    out = {"text": fig.text, "value": fig.value, "qualifier": fig.qualifier or None,
           "exemption": fig.exemption or None}  # fmt: skip
    if c.hint:
        out["hint"] = c.hint  # an accepted hint's source: the figure was not typed in
    return out


def to_html(table: ResultsTable, standalone: bool = True) -> str:
    """The results page (or, standalone=False, the section the report starts with)."""
    from bot.templating import report_environment

    name = "results.html.j2" if standalone else "results_section.html.j2"
    return (
        report_environment()
        .get_template(name)
        .render(
            results=table,
            generated=table.generated.strftime("%d %b %Y %H:%M") if table.generated else "",
        )
    )
