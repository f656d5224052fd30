"""The sandboxed extractor: `python -m bot.extraction.worker TIME_S MEMORY_MB` reads one
file's bytes on stdin and writes its Extraction as JSON on stdout. It limits itself
before reading a byte (address space, CPU time, no file writes, no child processes), so
a hostile file can at worst exhaust this process; the parent (bot.extraction.sandbox)
also kills it at its wall-clock deadline. Every failure becomes one line of reason."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from bot.extraction import documents, sheets
from bot.extraction.collect import MAX_MEMBERS, Collector, Unreadable, one_line
from bot.extraction.detect import open_zip, sniff
from bot.extraction.model import Extraction

Reader = Callable[[bytes, Collector], Extraction]
READERS: dict[str, Reader] = {
    "pdf": documents.read_pdf,
    "docx": documents.read_docx,
    "odt": documents.read_odt,
    "rtf": documents.read_rtf,
    "html": documents.read_html,
    "text": documents.read_text,
    "doc": documents.read_doc,
    "image": documents.read_image,
    "xlsx": sheets.read_xlsx,
    "xlsm": lambda data, col: sheets.read_xlsx(data, col, "xlsm"),
    "xls": sheets.read_xls,
    "ods": sheets.read_ods,
    "csv": sheets.read_csv,
}
NOT_READ = {
    "empty": "empty file",
    "binary": "not a format foibot reads (binary data)",
    "ole": "an Office 97 file that is neither Word nor Excel",
    "xlsb": "Excel binary workbook (.xlsb) is not read; open WDTK's 'view as HTML'",
    "pptx": "PowerPoint is not read; open WDTK's 'view as HTML'",
}


def unreadable(kind: str, reason: str) -> Extraction:
    return Extraction(state="unreadable", kind=kind, reason=one_line(reason))


def read(data: bytes, name: str, member: str = "") -> Extraction:
    """The Extraction of `data`; Unreadable and library errors become state "unreadable"."""
    kind = "zip" if data.startswith(b"PK") else "unknown"
    try:
        kind = sniff(data, name)
        if kind == "zip" and not member:
            return read_zip(data)
        if kind == "zip":
            return unreadable(kind, "an archive inside an archive is not opened")
        if kind in NOT_READ:
            return unreadable(kind, NOT_READ[kind])
        if kind in ("xlsx", "xlsm", "docx", "ods", "odt"):
            open_zip(data)  # the bomb checks, before any library decompresses a member
        return READERS[kind](data, Collector(member=member))
    except Unreadable as e:
        return unreadable(kind, str(e))
    except Exception as e:  # a library's error on a damaged file: its name and first line
        return unreadable(kind, _reason(kind, e))


def _reason(kind: str, error: BaseException) -> str:
    """One line for a reader's failure; a memory or recursion limit is named as such
    even when a library re-raised it as its own error."""
    chain: BaseException | None = error
    while chain is not None:
        text = str(chain)
        if isinstance(chain, MemoryError) or "allocate" in text or "failed to map" in text:
            return "over the memory limit while reading"
        if isinstance(chain, RecursionError):
            return "nested too deeply to read"
        chain = chain.__cause__ or chain.__context__
    first = str(error).splitlines()[0] if str(error) else ""
    return f"not readable as {kind} ({type(error).__name__}: {first})"


def read_zip(data: bytes) -> Extraction:
    """A ZIP archive, one level deep: each member read as a file of its own, its segments
    and tables naming it (`member`). Member names are labels only, never paths."""
    zf = open_zip(data)
    segments, tables, notes = [], [], []
    files = [i for i in zf.infolist() if not i.is_dir()]
    for info in files[:MAX_MEMBERS]:
        label = one_line(info.filename, 200)
        try:
            member = read(zf.read(info), label, member=label)
        except Exception as e:  # e.g. an encrypted member
            member = unreadable("unknown", f"{type(e).__name__}: {e}")
        segments += member.segments
        tables += member.tables
        if member.reason:  # why it was not read, or what of it was not
            notes.append(f"{label}: {member.reason}")
    if len(files) > MAX_MEMBERS:
        notes.append(f"{len(files):,} files; the first {MAX_MEMBERS} were read")
    if not segments and not tables:
        return unreadable("zip", "; ".join(notes) or "an empty archive")
    return Extraction(
        state="read",
        kind="zip",
        reason=one_line("; ".join(notes), 500),
        segments=tuple(segments),
        tables=tuple(tables),
    )


def limit(time_s: float, memory_mb: int) -> None:
    """Confine this process: its address space, its CPU seconds, and (unless OCR needs
    them) no files written and no processes started."""
    import resource

    memory = memory_mb * 1024 * 1024
    cpu = max(1, int(time_s + 0.999))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if documents.ocr_available():
        # pytesseract writes the page image to a temp file and runs the tesseract program
        # (which inherits the limits above); allow that, and files no larger than a page.
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
        return
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


def main(argv: list[str]) -> int:
    time_s, memory_mb = float(argv[0]), int(argv[1])
    # Only the name's extension crosses over (a tie-breaker for sniff), never the name.
    name = "attachment." + (argv[2] if len(argv) > 2 else "")
    limit(time_s, memory_mb)
    sys.setrecursionlimit(5_000)
    data = sys.stdin.buffer.read()
    result = read(data, name)
    del data
    try:
        out = json.dumps(result.to_json(), ensure_ascii=False)
    except MemoryError:  # what was read fits, its JSON does not
        result = None
        out = json.dumps(unreadable("unknown", "over the memory limit while reading").to_json())
    sys.stdout.write(out)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
