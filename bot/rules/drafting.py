"""Render a campaign's templated request for each body, and check it against WDTK's rules.

Rendering is pure apart from reading the template file: the same campaign, bodies and
requester always give the same drafts, which is what makes `foibot draft` idempotent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.bodies import Body
from bot.config import CampaignConfig, Config, suggest
from bot.errors import ConfigError, TemplateError

if TYPE_CHECKING:  # jinja2 loads when a template is rendered
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

LAW_NAMES = {
    "foi": "Freedom of Information Act 2000",
    "eir": "Environmental Information Regulations 2004",
    "foisa": "Freedom of Information (Scotland) Act 2002",
    "eisr": "Environmental Information (Scotland) Regulations 2004",
    # WDTK's `foi_no`: not a public authority under FOIA/FOISA. Letters branch on
    # `body.law == "none"` and ask voluntarily; this name is never an Act to cite.
    "none": "no freedom of information law (a voluntary request)",
}
TITLE_MIN, TITLE_MAX = 3, 200
# WDTK's own form takes far less; a template that renders more has a runaway loop or
# format, and SQLite would refuse it only deep in a transaction ("string or blob too big").
LETTER_MAX_CHARS = 100_000
# WDTK adds "FOI request" itself; a title that says only that tells readers nothing.
GENERIC_TITLE = re.compile(
    r"^\s*(foi|foia|freedom of information)(\s+act)?(\s+(request|requests|enquiry))?\s*\.?\s*$",
    re.IGNORECASE,
)
BARE_SIGN_OFF = re.compile(
    r"^(yours\s+(faithfully|sincerely|truly)|kind\s+regards|regards|best\s+wishes|thanks|"
    r"thank\s+you|many\s+thanks)\s*,?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Draft:
    body: str
    title: str
    letter: str


@dataclass(frozen=True)
class Skip:
    body: str
    reason: str


def make_environment(root: Path, folders: tuple[Path, ...] = ()) -> SandboxedEnvironment:
    """The sandboxed environment for letters under `root`, loading only `.j2` templates
    inside `folders` (default `root`) (bot/rules/sandbox.py, which loads jinja2: a daemon
    pass with nothing to draft never does)."""
    from bot.rules.sandbox import letter_environment

    return letter_environment(root, folders)


def body_context(body: Body, *, environmental: bool = False) -> dict[str, Any]:
    law = body.law_for_request(environmental=environmental)
    return {
        "url_name": body.url_name,
        "name": body.name,
        "short_name": body.short_name,
        "tags": list(body.tags),
        "law": law,
        "law_name": LAW_NAMES[law],
        "is_school": body.is_school,
    }


def title_problems(title: str) -> list[str]:
    """WDTK's rules for a new request's title (a follow-up has no title of its own): the
    checks its new-request form makes, so a human never meets them there."""
    problems = []
    if not TITLE_MIN <= len(title.strip()) <= TITLE_MAX:
        problems.append(
            f"title must be {TITLE_MIN}–{TITLE_MAX} characters (is {len(title.strip())})"
        )
    letters = [ch for ch in title if ch.isalpha()]
    if not letters:
        problems.append("title has no words in it")
    elif len(letters) > 1 and (title == title.upper() or title == title.lower()):
        problems.append("title must mix capital and lower-case letters")
    if GENERIC_TITLE.match(title):
        problems.append("title must say what the request is about, not just 'FOI request'")
    return problems


def letter_problems(letter: str) -> list[str]:
    """WDTK's rules for a message's text: a new request's letter or a follow-up."""
    problems = []
    lines = [line.strip() for line in letter.strip().splitlines() if line.strip()]
    if not lines:
        problems.append("letter is empty")
    elif BARE_SIGN_OFF.match(lines[-1]):
        problems.append(f"letter ends with a bare '{lines[-1]}': sign it with your name")
    return problems


class Renderer:
    """Renders one campaign's title and letter templates."""

    def __init__(self, config: Config, campaign: CampaignConfig, today: dt.date):
        import jinja2

        self.config, self.campaign, self.today = config, campaign, today
        # Names resolve from the project's root (as `letter =` does); what loads is the
        # templates/ folder and the letter's own folder, never config.toml beside them.
        env = make_environment(config.root, (config.root / "templates", campaign.letter.parent))
        self.letter_name = _relative(campaign.letter, config.root)
        self.title_name = f"{config.path.name}: {campaign.key}.title"
        try:
            self.letter = env.get_template(self.letter_name)
            self.title = env.from_string(campaign.title)
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or self.title_name
            raise TemplateError(
                f"{where}:{exc.lineno}: template syntax error: {exc.message}"
            ) from None

    def context(self, body: Body) -> dict[str, Any]:
        return {
            **self.campaign.vars,
            "vars": self.campaign.vars,
            "body": body_context(body, environmental=self.campaign.environmental),
            "campaign": {"slug": self.campaign.slug, "launch_at": self.campaign.launch_at},
            "requester": {"name": self.config.requester_name, "email": self.config.requester_email},
            "today": self.today,
        }

    def render(self, body: Body) -> Draft:
        ctx = self.context(body)
        title = " ".join(self._render(self.title, ctx, self.title_name).split())
        letter = self._render(self.letter, ctx, self.letter_name).strip() + "\n"
        return Draft(body=body.url_name, title=title, letter=letter)

    def _render(self, template: jinja2.Template, ctx: dict[str, Any], where: str) -> str:
        import jinja2

        try:
            text = template.render(ctx)
        except jinja2.UndefinedError as exc:
            line = _template_line(exc, template)
            known = sorted(k for k in ctx if k != "vars")
            name = re.search(r"'([^']+)' is undefined", str(exc))
            hint = suggest(name.group(1), known) if name else ""
            raise TemplateError(
                f"{where}{f':{line}' if line else ''}: undefined variable: {exc.message}{hint}"
            ) from None
        except jinja2.TemplateError as exc:
            line = _template_line(exc, template)
            raise TemplateError(f"{where}{f':{line}' if line else ''}: {exc}") from None
        except (ArithmeticError, ValueError, TypeError, MemoryError, RecursionError) as exc:
            # A template's own bug (1/0, int("x"), a loop too deep): name where it is.
            line = _template_line(exc, template)
            raise TemplateError(
                f"{where}{f':{line}' if line else ''}: {type(exc).__name__}: {exc}"[:300]
            ) from None
        if len(text) > LETTER_MAX_CHARS:
            raise TemplateError(
                f"{where}: renders {len(text):,} characters; a letter (or title) is at most "
                f"{LETTER_MAX_CHARS:,}"
            )
        return text


def _template_line(exc: BaseException, template: jinja2.Template) -> int | None:
    # Jinja rewrites the traceback so template frames carry the template's own line numbers.
    line, tb = None, exc.__traceback__
    filename = template.filename or "<template>"
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise TemplateError(f"{path}: letter templates must live under {root}") from None


def select_bodies(
    campaign: CampaignConfig,
    known: dict[str, Body],
    config_name: str,
    all_names: Callable[[], set[str]] | None = None,
) -> list[Body]:
    """The campaign's bodies: those named, then those carrying any of its tags, no repeats.
    `all_names` is asked only to suggest a spelling for an unknown body."""
    chosen: dict[str, Body] = {}
    for i, url_name in enumerate(campaign.bodies):
        if url_name not in known:
            raise ConfigError(
                f"{config_name}: {campaign.key}.bodies[{i}]: unknown body {url_name!r}"
                f"{suggest(url_name, all_names() if all_names else set(known))}"
                " (declare it under [bodies] or run `foibot bodies import`)"
            )
        chosen.setdefault(url_name, known[url_name])
    if campaign.body_tags:
        wanted = set(campaign.body_tags)
        for body in known.values():
            if wanted & (set(body.tags) | body.tag_names):
                chosen.setdefault(body.url_name, body)
    return list(chosen.values())


def render_campaign(
    renderer: Renderer, bodies: Iterable[Body]
) -> tuple[list[Draft], list[Skip], list[Skip]]:
    """Drafts, bodies skipped (not requestable) and bodies that failed (their draft cannot
    render or breaks WDTK's rules). One body failing never stops the others; a template
    that fails for every body is the template's fault, and raises its first error."""
    drafts, skipped, failed = [], [], []
    first_error: TemplateError | None = None
    for body in bodies:
        if not body.requestable:
            skipped.append(Skip(body.url_name, f"not requestable ({body.not_requestable_reason})"))
            continue
        try:
            draft = renderer.render(body)
            # Each rule broken is blamed on what makes it: the title template, or the letter.
            for where, problems in (
                (renderer.title_name, title_problems(draft.title)),
                (renderer.letter_name, letter_problems(draft.letter)),
            ):
                if problems:
                    raise TemplateError(
                        f"{where}: the draft for {body.url_name} breaks WDTK's rules: "
                        + "; ".join(problems)
                    )
        except TemplateError as exc:
            first_error = first_error or exc
            failed.append(Skip(body.url_name, str(exc)))
            continue
        drafts.append(draft)
    if first_error is not None and not drafts:
        raise first_error
    return drafts, skipped, failed


@dataclass(frozen=True)
class DraftPlan:
    """What `draft` will do, worked out before anything is written."""

    create: list[Draft]
    change: list[tuple[str, Draft]]  # (ref, new draft) for drafts not yet released
    unchanged: list[str]
    released_differs: list[str]  # refs already released whose template has since changed
    cancel: list[str]  # unreleased drafts whose body left the campaign (orphans)
    restore: list[tuple[str, Draft]]  # cancelled drafts whose body is back


def plan_drafts(existing: list[dict], drafts: list[Draft], keep: Iterable[str] = ()) -> DraftPlan:
    """`keep`: bodies still in the campaign whose draft failed this time: not orphans."""
    by_body = {row["body"]: row for row in existing}
    plan = DraftPlan([], [], [], [], [], [])
    for draft in drafts:
        row = by_body.get(draft.body)
        if row is None:
            plan.create.append(draft)
        elif row["status"] == "cancelled":
            plan.restore.append((row["ref"], draft))
        elif (row["title"], row["letter"]) == (draft.title, draft.letter):
            plan.unchanged.append(row["ref"])
        elif row["status"] == "draft":
            plan.change.append((row["ref"], draft))
        else:
            plan.released_differs.append(row["ref"])
    wanted = {d.body for d in drafts} | set(keep)
    plan.cancel.extend(
        row["ref"] for row in existing if row["body"] not in wanted and row["status"] == "draft"
    )
    return plan


def ref_prefix(slug: str, taken: set[str]) -> str:
    """A short, readable prefix for a campaign's refs: initials of its slug words."""
    words = [w for w in re.split(r"[-_]+", slug) if w]
    base = "".join(w[0] for w in words)[:6] if len(words) > 1 else slug[:6]
    prefix, n = base, 2
    while prefix in taken:
        prefix, n = f"{base}{n}", n + 1
    return prefix
