"""Terminal output: tables (rich for a screenful, plain aligned text for long listings)
and user text made safe to print."""

from __future__ import annotations

import re
import sys

from bot.wording import BIDI_RANGES, CONTROL_RANGES, SURROGATE_RANGES

RICH_MAX_ROWS = 200
PLAIN_MAX_WIDTH = 60
# Tab and line feed too: a printed cell or message is one line.
_CONTROL = re.compile(f"[\t\n{CONTROL_RANGES}{BIDI_RANGES}{SURROGATE_RANGES}]")


def printable(text: str | None) -> str:
    """User or WDTK text made safe for a terminal: control characters (ESC sequences that
    clear the screen or set the title, CR that overwrites a line), bidirectional overrides
    and undecodable bytes shown as '?'."""
    return _CONTROL.sub("?", text or "")


def print_error(message: str) -> None:
    """The one way an error reaches the user: "Error: " and the message on one line of
    stderr. Messages quote what the user gave (a group name, a CSV cell, a ref), which may
    hold an escape sequence that retitles or clears the terminal: control characters are
    shown as '?', line breaks and tabs as spaces."""
    sys.stderr.write(f"Error: {printable(' '.join(message.split()))}\n")
    sys.stderr.flush()


def echo(text: str) -> None:
    """A line to stdout, flushed."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Cron mail and pipes get the table as wide as its cells rather than rich's 80-column
    # default: a status or URL cut short to fit would be a wrong one.
    width = None if stream.isatty() else 1000
    # markup/emoji off: titles and body names are user data, and rich would read
    # "[bold]" as markup and ":thumbs_up:" as an emoji, and crash on a stray "[/]".
    return Console(
        stderr=stderr, highlight=False, soft_wrap=False, width=width, markup=False, emoji=False
    )


def print_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A rich table for a screenful; plain aligned columns for long listings, which
    rich would take seconds to measure and wrap."""
    # User and WDTK data goes to a terminal: control characters (ANSI escapes, CR) out.
    # Rich is no help there: it drops CR and BEL but passes ESC through.
    if len(rows) <= RICH_MAX_ROWS:
        from rich.table import Table

        table = Table()
        for header in headers:
            # A narrow screen folds a long status or URL onto more lines, never cuts it
            # to "waiting_respon…": a cut value is a wrong one.
            table.add_column(header, overflow="fold")
        for row in printable_rows(rows):
            table.add_row(*row)
        console().print(table)
        return
    # Written a thousand lines at a time: 100,000 rows are never one string in memory.
    lines = aligned(headers, printable_rows(rows))
    for start in range(0, len(lines), 1000):
        sys.stdout.write("\n".join(lines[start : start + 1000]) + "\n")
    sys.stdout.flush()


def printable_rows(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    # (A whole row checked at once: most rows are clean.)
    return [
        row if "".join(row).isprintable()
        else tuple(c if c.isprintable() else printable(c) for c in row)
        for row in rows
    ]  # fmt: skip


def aligned(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Plain aligned lines, each column as wide as its widest cell (PLAIN_MAX_WIDTH at
    most), under the headers and a rule. A longer cell is never cut (a URL or a name cut
    short is a wrong one): it runs on and pushes the rest of its line right. Lines do not
    end in spaces."""
    widths = [
        min(PLAIN_MAX_WIDTH, max(map(len, column))) for column in zip(headers, *rows, strict=True)
    ]
    template = "  ".join(f"%-{w}s" for w in widths)
    lines = [(template % tuple(headers)).rstrip(" "), "  ".join("-" * w for w in widths)]
    lines.extend((template % row).rstrip(" ") for row in rows)
    return lines
