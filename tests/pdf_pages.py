"""Reading PDFs the way a reviewer looks at them, with poppler's tools (no image library needed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

XHTML = "{http://www.w3.org/1999/xhtml}"


def poppler(*cmd: str) -> str:
    assert shutil.which(cmd[0]), f"{cmd[0]} is not installed (poppler-utils)"
    return subprocess.run(cmd, capture_output=True, check=True, timeout=120).stdout.decode("utf-8", "replace")


def page_count(pdf: Path) -> int:
    for line in poppler("pdfinfo", str(pdf)).splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo printed no page count")


def read_pgm(path: Path) -> tuple[int, int, bytes]:
    """Binary PGM (P5) as written by pdftoppm -gray: header tokens (comments skipped), one byte a pixel."""
    data = path.read_bytes()
    tokens: list[bytes] = []
    pos = 0
    while len(tokens) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        tokens.append(data[pos:end])
        pos = end
    assert tokens[0] == b"P5" and int(tokens[3]) == 255
    width, height = int(tokens[1]), int(tokens[2])
    pixels = data[pos + 1 : pos + 1 + width * height]
    assert len(pixels) == width * height
    return width, height, pixels


def ink(width: int, pixels: bytes, rows: range, cols: range) -> int:
    """Dark pixels in a region: how much is printed there."""
    return sum(1 for y in rows for x in cols if pixels[y * width + x] < 160)


def gray_pages(pdf: Path, folder: Path, dpi: int = 40) -> list[Path]:
    poppler("pdftoppm", "-r", str(dpi), "-gray", str(pdf), str(folder / "p"))
    return sorted(folder.glob("p-*.pgm"))


# --- the proof of a 公文 PDF: what pdftotext -bbox-layout and pdffonts say, page by page -------------------

PAGE_NUMBER = re.compile(r"^—\s*(\d+)\s*—$")
# GB/T 15834 marks that never start a line (the list and their closing kin).
NO_LINE_START = "。，、；：”）！？》’】"
SECTION_START = re.compile(r"^附件\s*\d+$")  # the label on the first page of each attachment table


@dataclass(frozen=True)
class PageText:
    """One PDF page as laid out: its size in points and its text lines top to bottom (text, top, bottom)."""

    width: float
    height: float
    lines: list[tuple[str, float, float]]

    def page_number(self) -> int | None:
        """N of the "— N —" line, None when the page has none."""
        for text, _, _ in self.lines:
            m = PAGE_NUMBER.match(text)
            if m:
                return int(m.group(1))
        return None

    def content(self) -> list[tuple[str, float, float]]:
        """The lines but the page number."""
        return [line for line in self.lines if not PAGE_NUMBER.match(line[0])]


def page_texts(pdf: Path) -> list[PageText]:
    """Every page's visual lines, from pdftotext -bbox-layout (one <line> a printed line, in cells too)."""
    root = ElementTree.fromstring(poppler("pdftotext", "-bbox-layout", str(pdf), "-"))
    pages = []
    for page in root.iter(f"{XHTML}page"):
        lines = []
        for line in page.iter(f"{XHTML}line"):
            words = [w.text or "" for w in line.iter(f"{XHTML}word")]
            text = " ".join(words).strip()
            if text:
                lines.append((text, float(line.get("yMin", 0)), float(line.get("yMax", 0))))
        lines.sort(key=lambda item: item[1])
        pages.append(PageText(float(page.get("width", 0)), float(page.get("height", 0)), lines))
    return pages


def unembedded_fonts(pdf: Path) -> list[str]:
    """pdffonts rows whose "emb" column is not "yes" (column positions from the dashes under the header)."""
    out = poppler("pdffonts", str(pdf)).splitlines()
    header, rule, rows = out[0], out[1], out[2:]
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]
    emb = next(i for i, (a, b) in enumerate(spans) if header[a:b].strip() == "emb")
    start, end = spans[emb]
    return [row for row in rows if row[start:end].strip() != "yes"]
