"""Terminal output without click: tables (rich for a screenful, plain aligned text for long
listings) and user text made safe to print. `foibot status` writes through this module
whether click parsed its options or not (bot/cli/plain_status.py)."""

from __future__ import annotations

import re
import sys

RICH_MAX_ROWS = 200
PLAIN_MAX_WIDTH = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Printable ASCII and the newline that joins lines: what a clean ASCII table is made of.
_ASCII_TEXT = bytes(range(0x20, 0x7F)) + b"\n"


def printable(text: str | None) -> str:
    """User or WDTK text made safe for a terminal: control characters (ESC sequences that
    clear the screen or set the title, CR that overwrites a line) shown as '?'."""
    return _CONTROL.sub("?", text or "")


def echo(text: str) -> None:
    """A line to stdout, flushed (what click.echo does with text, without scanning it for
    ANSI codes: tables have none left)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Cron mail and pipes get a wide table rather than rich's 80-column default.
    width = None if stream.isatty() else 160
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

        table = Table(*headers)
        for row in printable_rows(rows):
            table.add_row(*row)
        console().print(table)
        return
    text = "\n".join(aligned(headers, rows))
    # Most long tables are clean: one scan of the text (not of 90,000 cells); a table
    # with a control character anywhere (a newline in a cell too) is made again from
    # cleaned cells ('?' for each: the same widths).
    if text.isascii():
        # Checked as bytes, a C-level pass five times quicker than isprintable, and
        # written as those bytes where stdout takes them.
        data = text.encode("ascii")
        if not data.translate(None, _ASCII_TEXT):
            if not _write_bytes(data):
                echo(text)
            return
    elif "".join(text.split("\n")).isprintable():
        echo(text)
        return
    echo("\n".join(aligned(headers, printable_rows(rows))))


def _write_bytes(data: bytes) -> bool:
    """`data` and a newline written to stdout's binary buffer, if it has one (not so under
    a test's capture, which takes text): True when written."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        return False
    sys.stdout.flush()
    buffer.write(data)
    buffer.write(b"\n")
    buffer.flush()
    return True


def printable_rows(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    # (A whole row checked at once: most rows are clean.)
    return [
        row if "".join(row).isprintable()
        else tuple(c if c.isprintable() else printable(c) for c in row)
        for row in rows
    ]  # fmt: skip


def aligned(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """Plain aligned lines, each column as wide as its widest cell (PLAIN_MAX_WIDTH at
    most), under the headers and a rule."""
    widths = [
        min(PLAIN_MAX_WIDTH, max(map(len, column))) for column in zip(headers, *rows, strict=True)
    ]
    # printf-style: half the time of str.format for the same padded, cut cells. The last
    # cell is cut but not padded, so only a line that ends in spaces (an empty last cell)
    # has any to strip; only spaces are stripped: a control character ending a cell
    # (\x1f, \x0b and the like count as whitespace) must stay for the check to show it.
    template = "  ".join([*(f"%-{w}.{w}s" for w in widths[:-1]), f"%.{widths[-1]}s"])
    lines = [(template % tuple(headers)).rstrip(" "), "  ".join("-" * w for w in widths)]
    lines.extend([line.rstrip(" ") if line[-1:] == " " else line for line in
                  [template % row for row in rows]])  # fmt: skip
    return lines
