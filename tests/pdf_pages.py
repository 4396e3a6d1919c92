"""Reading PDFs the way a reviewer looks at them, with poppler's tools (no image library needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


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
