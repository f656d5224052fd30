"""Figures: a campaign's results table as it will be published (the section `foibot
report` and `foibot results --format html` render) with its Markdown, CSV and HTML
exports (`foibot results`' own), a CSV upload recorded as `record --from-csv` records it
(all or nothing, the same code), and for each request its replies and their attachments'
text beside a form of the campaign's fields and periods.

The form takes what `record` takes ("<5", "not held", "withheld:s40": the same parser).
Where nothing is recorded yet, `hints`' best proposal is filled in and marked as such.
Each value carries the value the form was loaded with: a save is refused, recording
nothing, where someone else recorded a value since (bot.views.figures.record_form)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.errors import FoibotError
from bot.web.app import may_change, render, site, today
from bot.web.forms import back, field, form_of, run, who

MAX_UPLOAD = 4 * 1024 * 1024  # a campaign's figures sheet is a few hundred KB


def _campaign(request: Request) -> Any:
    """The campaign named in the path, or None (a 404)."""
    slug = request.path_params["campaign"]
    return next((c for c in site(request).config.campaigns if c.slug == slug), None)


def figures_index(request: Request) -> Response:
    s = site(request)
    with s.store() as store:
        campaigns = [
            (c, [r for r in store.campaign_requests(c.slug) if r["status"] != "cancelled"])
            for c in s.config.campaigns
        ]
    return render(request, "figures_index.html.j2", campaigns=campaigns)


def _results(
    request: Request, messages: list[str] | None = None, status_code: int = 200
) -> Response:
    from bot.reports.results_formats import to_html
    from bot.views.results import build_table

    spec = _campaign(request)
    if spec is None:
        return _missing(request, "campaign")
    s = site(request)
    with s.store() as store:
        table = build_table(store, s.config, spec.slug, today(request))
        refs = [r for r in store.campaign_requests(spec.slug) if r["status"] != "cancelled"]
    # The published section, rendered by the report's own autoescaping template: every
    # body name and value in it is escaped there, so it is inserted as it is.
    section = Markup(to_html(table, standalone=False))  # noqa: S704
    return render(
        request, "results.html.j2", status_code=status_code, spec=spec, section=section,
        heading=table.heading, refs=refs, messages=messages or [], editor=may_change(request),
    )  # fmt: skip


def results_page(request: Request) -> Response:
    return _results(request)


def results_css(request: Request) -> Response:
    """The published section's style sheet: the very rules `results --format html` puts
    in its own <style> block (one copy), served as a file because this site's policy
    allows no inline style."""
    from bot.templating import report_environment

    css = report_environment().get_template("results_css.html.j2").render()
    return Response(css, media_type="text/css")


def results_export(request: Request) -> Response:
    from bot.views.results import EXPORTS, build_table, export

    spec, fmt = _campaign(request), request.path_params["fmt"]
    if spec is None or fmt not in EXPORTS:
        return _missing(request, "campaign or format")
    s = site(request)
    with s.store() as store:
        data = export(build_table(store, s.config, spec.slug, today(request)), fmt)
    media, suffix = EXPORTS[fmt]
    name = f"results-{spec.slug}.{suffix}"
    return Response(
        data, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


async def upload(request: Request) -> Response:
    """`record --from-csv` with the uploaded file: every row checked, then all recorded or
    none, with each bad row named."""
    from bot.views.figures import CsvRefused, record_csv

    spec = _campaign(request)
    if spec is None:
        return _missing(request, "campaign")
    form = await form_of(request)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return await run(_results, request, ["Choose a CSV file to upload."], 400)
    data = await upload.read(MAX_UPLOAD + 1)
    name = (upload.filename or "upload.csv")[:200]
    if len(data) > MAX_UPLOAD:
        return await run(_results, request, [f"{name}: larger than 4 MB; not a figures CSV"], 413)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return await run(
            _results, request, [f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8"], 400
        )
    note = field(form, "note", 500) or None

    def apply() -> list[str]:
        with site(request).store() as store:
            try:
                done = record_csv(
                    store, site(request).config, text, name, spec.slug, note, who(request)
                )
            except CsvRefused as exc:
                return [str(exc), *exc.errors]
            except FoibotError as exc:
                return [str(exc)]
        return [f"Recorded {done['recorded']} values for {done['requests']} requests from {name}"
                f" ({done['unchanged']} unchanged)."]  # fmt: skip

    messages = await run(apply)
    return await run(_results, request, messages, 400 if "nothing recorded" in messages[0] else 200)


def _record_form(
    request: Request, ref: str, values: dict | None = None, error: str = "",
    conflicts: list | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    from bot.dates import format_uk
    from bot.rules.hints import HIGH
    from bot.views.figures import proposals, value_keys

    s = site(request)
    with s.store() as store:
        row = store.request(ref)
        spec = next((c for c in s.config.campaigns if row and c.slug == row["campaign"]), None)
        if row is None or spec is None:
            return _missing(request, "request of a campaign with fields")
        from bot.reports.figures import recorded_figures

        current = {k: f.text for k, f in recorded_figures(store, ref).items()}
        found = proposals(store, ref, spec)
        replies = store.reply_bodies(ref)
        attachments = [
            {"name": r["name"] or f"attachment {r['number']}", "sent_at": r["sent_at"],
             "text": extraction.text()}
            for r, extraction in store.attachment_extractions(ref)
        ]  # fmt: skip
    specs = {f.name: f for f in spec.fields}
    rows = []
    for k in value_keys(spec):
        name, _, period = k.partition(":")
        proposal = found.get(k, [None])[0] if k not in current else None
        shown = (values or {}).get(k)
        if shown is None:
            # Only a sure proposal is filled in: a save made for another figure (or a
            # note) must not record a loose match; the others are shown beside the box.
            sure = proposal is not None and proposal.confidence == HIGH
            shown = current.get(k) or (proposal.value if sure else "")
        rows.append({
            "key": k, "label": name,
            "period": period, "description": specs[name].description, "value": shown,
            "loaded": current.get(k, ""), "proposal": proposal,
        })  # fmt: skip
    return render(
        request, "record.html.j2", status_code=status_code, row=row, spec=spec, rows=rows,
        replies=replies, attachments=attachments, error=error, conflicts=conflicts or [],
        editor=may_change(request), format_uk=format_uk,
    )  # fmt: skip


def record_page(request: Request) -> Response:
    return _record_form(request, request.path_params["ref"])


async def record(request: Request) -> Response:
    """Record the form's changed values (`record REF FIELD=VALUE ...`), with who did it."""
    from bot.views.figures import record_form, value_keys

    ref = request.path_params["ref"]
    form = await form_of(request)
    s = site(request)

    def apply() -> Response:
        with s.store() as store:
            row = store.request(ref)
            spec = next((c for c in s.config.campaigns if row and c.slug == row["campaign"]), None)
            if spec is None:
                return _missing(request, "request of a campaign with fields")
            keys = value_keys(spec)
            values = {k: field(form, f"v:{k}", 500) for k in keys if f"v:{k}" in form}
            loaded = {k: field(form, f"was:{k}", 500) for k in keys}
            error = ""
            try:
                _, conflicts = record_form(
                    store, ref, spec, values, loaded, by=who(request),
                    note=field(form, "note", 500) or None,
                )  # fmt: skip
            except FoibotError as exc:
                error, conflicts = str(exc), []
        if error:
            return _record_form(request, ref, values, error, status_code=400)
        if conflicts:
            return _record_form(request, ref, values, conflicts=conflicts, status_code=409)
        return back(f"/record/{ref}")

    return await run(apply)


def _missing(request: Request, what: str) -> Response:
    return render(request, "error.html.j2", status_code=404, message=f"no such {what}")


ROUTES = [
    Route("/static/results.css", results_css, methods=["GET"]),
    Route("/figures", figures_index, methods=["GET"]),
    Route("/figures/{campaign}", results_page, methods=["GET"]),
    Route("/figures/{campaign}/results.{fmt}", results_export, methods=["GET"]),
    Route("/figures/{campaign}/upload", upload, methods=["POST"]),
    Route("/record/{ref:path}", record_page, methods=["GET"]),
    Route("/record/{ref:path}", record, methods=["POST"]),
]
