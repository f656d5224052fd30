"""The Jinja sandbox campaign letters and follow-ups render in, with caps on what a
template may compute. Imported only when a template is rendered (jinja2 is ~5 MB)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from bot.config import TEMPLATE_SUFFIX
from bot.errors import TemplateError

# A letter needs a loop over a few years or a few bodies, never more than this; Jinja's
# own sandbox allows 100,000 and then fails with an OverflowError rather than its error.
MAX_RANGE = 10_000
MAX_REPEAT = 100_000  # characters or items from `"x" * n`
MAX_POWER_BITS = 4_096  # `10 ** 8` is fine; `10 ** 10 ** 8` would run for ever


def _capped_range(*args: int) -> range:
    items = range(*args)
    if len(items) > MAX_RANGE:
        raise SecurityError(f"range() of {len(items)} items: a template may loop {MAX_RANGE}")
    return items


class _LetterEnvironment(SandboxedEnvironment):
    """Jinja's sandbox, plus caps on the arithmetic that could eat memory or time."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        ints = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and ints and right > 0 and left.bit_length() * right > MAX_POWER_BITS:
            raise SecurityError(f"{left} ** {right} is too big for a template")
        for seq, n in ((left, right), (right, left)) if operator == "*" else ():
            if (
                isinstance(seq, str | list | tuple)
                and isinstance(n, int)
                and len(seq) * n > MAX_REPEAT
            ):
                raise SecurityError(f"repeating {len(seq)} items {n} times is too big")
        return super().call_binop(context, operator, left, right)


class _TemplatesOnlyLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, limited to templates: a name ending `.j2` whose file (symlinks
    followed) is inside one of `folders`. A letter's `{% include "config.toml" %}` would
    otherwise copy the config, or a file beside it, into a letter sent to a public body."""

    def __init__(self, root: Path, folders: tuple[Path, ...]):
        super().__init__(str(root))
        self.folders = tuple(f.resolve() for f in folders)

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        if not template.endswith(TEMPLATE_SUFFIX):
            raise jinja2.TemplateNotFound(
                template, f"{template}: a template may load only *{TEMPLATE_SUFFIX} templates"
            )
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except UnicodeDecodeError as exc:
            raise TemplateError(
                f"{template}: not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8"
            ) from None
        real = Path(filename).resolve()
        if not any(real.is_relative_to(folder) for folder in self.folders):
            where = " or ".join(str(f) for f in self.folders)
            raise jinja2.TemplateNotFound(
                template, f"{template}: a template may load only templates under {where}"
            )
        return source, filename, uptodate


def letter_environment(root: Path, folders: tuple[Path, ...] = ()) -> SandboxedEnvironment:
    """Names are looked up under `root`; only `.j2` files inside `folders` (default: `root`
    itself) load, the letter's own and any it includes, imports or extends."""
    # Sandboxed because campaign templates are user input; StrictUndefined because a letter
    # must never go out with a blank where a name should be.
    env = _LetterEnvironment(
        loader=_TemplatesOnlyLoader(root, folders or (root,)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["range"] = _capped_range
    return env
