"""Which format a file really is, from its bytes: magic numbers, and for ZIP-based formats
the members the archive holds. The name the sender gave is only a tie-breaker (a .csv and
a .txt look alike), never trusted over the bytes, and never used as a path."""

from __future__ import annotations

import io
import re
import zipfile

from bot.extraction.collect import Unreadable

# Bounds checked from the ZIP directory before any member is decompressed: a zip bomb
# declares (and zipfile enforces) the sizes it expands to.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200  # deflate seldom beats 100:1 on real documents; bombs reach 1000:1
RATIO_FLOOR = 1024 * 1024  # small members may compress as well as they like
MAX_ZIP_MEMBERS = 10_000

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
_HTML = re.compile(rb"<(!doctype\s+html|html|head|body|table|p|div)[\s>]", re.I)
_ODF = {
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.text": "odt",
}


def hint(name: str) -> str:
    """The lower-case extension of the sender's file name ("" if none): letters and
    digits only, so nothing in the name reaches anything but this comparison."""
    tail = name.rsplit(".", 1)[-1] if "." in name else ""
    return re.sub(r"[^a-z0-9]", "", tail.lower())[:8]


def check_zip(zf: zipfile.ZipFile) -> None:
    """Refuse an archive whose declared sizes or compression ratios are a bomb's."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise Unreadable(f"zip bomb: {len(infos):,} members (at most {MAX_ZIP_MEMBERS:,})")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise Unreadable(
            f"zip bomb: expands to {total / 1e6:,.0f} MB (at most {MAX_UNCOMPRESSED / 1e6:.0f} MB)"
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Unreadable(
                f"zip bomb: a member compressed {info.file_size // max(info.compress_size, 1):,}:1"
                f" (at most {MAX_RATIO}:1)"
            )


def open_zip(data: bytes) -> zipfile.ZipFile:
    """The archive in `data`, checked against bombs; Unreadable if it is not one or is one."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise Unreadable(f"damaged ZIP container: {e}") from None
    check_zip(zf)
    return zf


def _zip_kind(data: bytes, ext: str) -> str:
    zf = open_zip(data)
    names = set(zf.namelist())
    if "mimetype" in names:
        mime = zf.read("mimetype")[:100].strip()
        if mime in _ODF:
            return _ODF[mime]
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            return "xlsb"
        return "xlsm" if "xl/vbaProject.bin" in names or ext == "xlsm" else "xlsx"
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    return "zip"


def _ole_kind(data: bytes) -> str:
    # The OLE2 directory names its streams in UTF-16: Excel's is "Workbook" (or "Book"
    # before Excel 97), Word's "WordDocument".
    head = data[: 4 * 1024 * 1024]
    if "WordDocument".encode("utf-16-le") in head:
        return "doc"
    if "Workbook".encode("utf-16-le") in head or "Book".encode("utf-16-le") in head:
        return "xls"
    return "ole"


def _looks_like_html(sample: bytes) -> bool:
    """Whether the text starts (after a BOM, blanks and comments) with an HTML tag. A loop,
    not a regular expression, skips the comments: nested repeats would backtrack."""
    head = sample.removeprefix(b"\xef\xbb\xbf").lstrip()
    while head.startswith(b"<!--"):
        end = head.find(b"-->")
        if end < 0:
            return False
        head = head[end + 3 :].lstrip()
    return _HTML.match(head) is not None


def _text_kind(data: bytes, ext: str) -> str:
    sample = data[:65536]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    if _looks_like_html(sample):
        return "html"
    if ext in ("csv", "tsv"):
        return "csv"
    if ext in ("htm", "html") and re.search(rb"<(html|body|table|p)[\s>]", sample, re.I):
        return "html"
    return "text"


def sniff(data: bytes, name: str) -> str:
    """The format of `data`: "pdf", "xlsx", "xlsm", "xls", "ods", "odt", "csv", "docx",
    "doc", "rtf", "html", "text", "zip", "image", or "binary"/"ole"/"xlsb"/"pptx" for what
    foibot does not read. Unreadable for a damaged or bomb-like ZIP container."""
    ext = hint(name)
    if not data:
        return "empty"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data, ext)
    if data.startswith(_OLE2):
        return _ole_kind(data)
    if data.lstrip()[:5] == b"{\\rtf":
        return "rtf"
    if data.startswith(_IMAGES):
        return "image"
    return _text_kind(data, ext)
