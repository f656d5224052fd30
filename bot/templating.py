"""Where foibot's own templates come from, and the Jinja2 environment for its HTML.

The built-in templates (launch sheet, report, default follow-up letters) ship inside the
package and load through importlib.resources, so a wheel or `pipx install` has them. A
project's `templates/` folder beside config.toml holds its letters and may override any
built-in template by the same relative name.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from bot.wording import BIDI_RANGES

if TYPE_CHECKING:  # jinja2 loads with the first environment
    import jinja2

BUILTIN = resources.files("bot") / "templates"


def builtin_path(name: str) -> Path:
    """A built-in template's file (a real file: the package is installed unzipped)."""
    return Path(str(BUILTIN / name))


def builtin_dir() -> Path:
    return Path(str(BUILTIN))


def template_path(name: str, project_root: Path | None) -> Path:
    """The project's own copy of a template if it has one, else the built-in one."""
    if project_root is not None:
        own = project_root / "templates" / name
        if own.is_file():
            return own
    return builtin_path(name)


_BIDI = re.compile(f"[{BIDI_RANGES}]")


def without_bidi_controls(value: object) -> object:
    """Every value a page shows, as `finalize`: without the bidirectional overrides and
    isolates, which would let a name from WDTK ("x\u202egpj.exe") read backwards, and
    reverse foibot's own words after it ("by root" as "toor yb"). Markup stays Markup."""
    if isinstance(value, str) and _BIDI.search(value):
        from markupsafe import Markup

        cleaned = _BIDI.sub("", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


@cache
def _environment(project_templates: str | None) -> jinja2.Environment:
    import jinja2

    paths = ([project_templates] if project_templates else []) + [str(builtin_dir())]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths),
        undefined=jinja2.StrictUndefined,
        finalize=without_bidi_controls,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def report_environment(project_root: Path | None = None) -> jinja2.Environment:
    """Autoescaped, strict; the project's `templates/` first, then the built-ins."""
    own = project_root / "templates" if project_root is not None else None
    return _environment(str(own) if own is not None and own.is_dir() else None)
