"""A VBA project (`vbaProject.bin`) written from module source text, per [MS-OVBA].

The project holds source only: `_VBA_PROJECT` says version 0xFFFF and every module's compiled part is
empty (MODULEOFFSET 0), which [MS-OVBA] 2.3.4.1 prescribes for writers. Excel then compiles the
project from source when it opens the file. Streams are packed by `perfeval.vba.cfb`, since no
maintained Python library writes compound files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from perfeval.vba.cfb import write_cfb

ModuleKind = Literal["document", "standard", "class"]

CODEPAGE = 1252
LCID_EN_US = 0x0409
CHUNK = 4096
# A fixed project id: a reproducible file, and nothing in Excel depends on it being unique.
PROJECT_ID = "{5B1E8C2A-7D43-4F09-9A6E-3C2D8B0F4E71}"
HOST_EXTENDER_INFO = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
# Reserved1, Version 0xFFFF (no cache: recompile), Reserved2, Reserved3 as in the add-in xlwings ships,
# a file Excel is known to load.
VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000100")

# dir stream record ids ([MS-OVBA] 2.3.4.2)
REFERENCE_IDS = frozenset({0x0016, 0x003E, 0x0033, 0x002F, 0x0030, 0x000D, 0x000E})
PROJECTVERSION = 0x0009  # the one record whose 4-byte field is not the size of what follows
MODULETYPE_PROCEDURAL, MODULETYPE_OTHER = 0x0021, 0x0022
# What CMG, DPB and GC hide in an unprotected project ([MS-OVBA] 2.3.1).
NOT_PROTECTED, NO_PASSWORD, VISIBLE = b"\0\0\0\0", b"\0", b"\xff"


class VbaError(ValueError):
    """Module source or a project that cannot be written or read."""


# --- compression ([MS-OVBA] 2.4.1) -------------------------------------------------------------


def _bit_count(difference: int) -> int:
    """Bits of a copy token's offset: the smallest n >= 4 with 2**n >= difference (2.4.1.3.19.1)."""
    return max((difference - 1).bit_length(), 4)


def _compress_chunk(chunk: bytes) -> bytes:
    """Tokens for one decompressed chunk: the longest earlier match (nearest on ties), else a literal.

    Only token starts are indexed as match candidates, as Office does: this reproduces the examples
    of [MS-OVBA] 3.2 byte for byte (an exhaustive search would also be valid, just different).
    """
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    n = len(chunk)
    pos = 0

    while pos < n:
        flag_at = len(out)
        out.append(0)
        for bit in range(8):
            if pos >= n:
                break
            best_len = best_at = 0
            candidates = heads.get(chunk[pos : pos + 3]) if n - pos >= 3 else None
            if candidates:
                bits = _bit_count(pos)
                limit = min((0xFFFF >> bits) + 3, n - pos)
                for cand in reversed(candidates[-512:]):  # bounded search keeps long runs fast
                    length = 3
                    while length < limit and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_at = length, cand
                        if length == limit:
                            break
            if best_len >= 3:
                bits = _bit_count(pos)
                token = ((pos - best_at - 1) << (16 - bits)) | (best_len - 3)
                out += token.to_bytes(2, "little")
                out[flag_at] |= 1 << bit
                heads.setdefault(chunk[pos : pos + 3], []).append(pos)
                pos += best_len
            else:
                out.append(chunk[pos])
                heads.setdefault(chunk[pos : pos + 3], []).append(pos)
                pos += 1
    return bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer whose decompression is exactly `data`.

    Each chunk is a token chunk when its tokens fit the 4096 bytes a chunk can hold, even if they are
    larger than the input. A raw chunk always holds 4096 bytes (2.4.1.1.6), so only a whole chunk is
    stored raw: 2.4.1.3.10 would pad a short last chunk with NULs, which readers then take for data.
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        chunk = data[start : start + CHUNK]
        body = _compress_chunk(chunk)
        if len(body) <= CHUNK:
            out += ((len(body) - 1) | 0xB000).to_bytes(2, "little")  # size - 3, signature 0b011, compressed
            out += body
        elif len(chunk) == CHUNK:
            out += (0x3FFF).to_bytes(2, "little")  # size 4098 - 3, signature 0b011, raw
            out += chunk
        else:
            # No conforming encoding holds these bytes and nothing more: refuse rather than append NULs.
            # Only near-random data of 3641..4095 bytes gets here (9 bits a byte as literals), never VBA text.
            raise VbaError(
                f"the last {len(chunk)} bytes do not compress into one chunk, and a raw chunk would add "
                f"{CHUNK - len(chunk)} NUL bytes"
            )
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """Inverse of `compress`, for any conforming CompressedContainer."""
    if not data or data[0] != 0x01:
        raise VbaError("not a compressed container: signature byte is not 0x01")
    out = bytearray()
    i = 1
    while i < len(data):
        if i + 2 > len(data):
            raise VbaError("truncated chunk header")
        header = int.from_bytes(data[i : i + 2], "little")
        if (header >> 12) & 0b111 != 0b011:
            raise VbaError(f"bad chunk signature at byte {i}")
        chunk_end = min(i + (header & 0x0FFF) + 3, len(data))
        i += 2
        chunk_start = len(out)
        if not header & 0x8000:
            out += data[i : i + CHUNK]
            i += CHUNK
            continue
        while i < chunk_end:
            flags = data[i]
            i += 1
            for bit in range(8):
                if i >= chunk_end:
                    break
                if not (flags >> bit) & 1:
                    out.append(data[i])
                    i += 1
                    continue
                token = int.from_bytes(data[i : i + 2], "little")
                i += 2
                bits = _bit_count(len(out) - chunk_start)
                length = (token & (0xFFFF >> bits)) + 3
                src = len(out) - ((token >> (16 - bits)) + 1)
                if src < chunk_start:
                    raise VbaError("copy token points before its chunk")
                for k in range(length):  # byte by byte: a copy may overlap its own output
                    out.append(out[src + k])
        i = chunk_end
    return bytes(out)


# --- data encryption for CMG, DPB and GC ([MS-OVBA] 2.4.3) --------------------------------------


def encrypt(data: bytes, project_id: str = PROJECT_ID, seed: int = 0x3A) -> str:
    """Obfuscate `data` as the PROJECT stream's CMG/DPB/GC values do; hex, upper case."""
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    version_enc, proj_key_enc = seed ^ 2, seed ^ proj_key
    out = [seed, version_enc, proj_key_enc]
    enc1, enc2, plain1 = proj_key_enc, version_enc, proj_key
    ignored = bytes([0x07]) * ((seed & 6) >> 1)  # arbitrary filler, fixed for a reproducible file
    for byte in ignored + len(data).to_bytes(4, "little") + data:
        byte_enc = byte ^ ((enc2 + plain1) & 0xFF)
        out.append(byte_enc)
        enc2, enc1, plain1 = enc1, byte_enc, byte
    return bytes(out).hex().upper()


def decrypt(text: str) -> bytes:
    """The data hidden in a CMG/DPB/GC value (the inverse of `encrypt`)."""
    raw = bytes.fromhex(text)
    seed, version_enc, proj_key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise VbaError("unknown data encryption version")
    enc1, enc2, plain1 = proj_key_enc, version_enc, seed ^ proj_key_enc
    plain = bytearray()
    for byte_enc in raw[3:]:
        byte = byte_enc ^ ((enc2 + plain1) & 0xFF)
        plain.append(byte)
        enc2, enc1, plain1 = enc1, byte_enc, byte
    skip = (seed & 6) >> 1
    length = int.from_bytes(plain[skip : skip + 4], "little")
    return bytes(plain[skip + 4 : skip + 4 + length])


# --- modules ------------------------------------------------------------------------------------

_VB_NAME = re.compile(r'^Attribute VB_Name = "([^"]+)"\s*$', re.MULTILINE)
_ATTRIBUTE = re.compile(r"^Attribute (\w+) = (.*)$")

# VB_Base of a class module: the class itself, not a host object as for a document module.
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
# The header the VBE stores at the top of every class module, in this order, after VB_Name; the values
# are a new class's. An exported .cls leaves out VB_Base, VB_TemplateDerived and VB_Customizable, and
# without VB_Base Excel stops with a compile error at the first `New` of the class.
CLASS_HEADER: dict[str, str] = {
    "VB_Base": f'"{CLASS_BASE}"',
    "VB_GlobalNameSpace": "False",
    "VB_Creatable": "False",
    "VB_PredeclaredId": "False",
    "VB_Exposed": "False",
    "VB_TemplateDerived": "False",
    "VB_Customizable": "False",
}


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def strip_class_header(text: str) -> str:
    """Drop the `VERSION 1.0 CLASS / BEGIN ... END` block of an exported .cls: not part of the stored source."""
    lines = _lines(text)
    if lines and lines[0].startswith("VERSION "):
        end = next((i for i, line in enumerate(lines) if line.strip() == "END"), None)
        if end is None:
            raise VbaError("class file header has no END line")
        lines = lines[end + 1 :]
    return "\n".join(lines)


@dataclass(frozen=True)
class VbaModule:
    """One module: its name, kind and source as stored in the project (Attribute lines kept, no header)."""

    name: str
    kind: ModuleKind
    source: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", self.name):
            raise VbaError(f"VBA 模块名不合法：{self.name!r}")
        if self.kind not in ("document", "standard", "class"):
            raise VbaError(f"未知的 VBA 模块类型：{self.kind!r}")
        for number, line in enumerate(_lines(self.source), 1):
            if not line.isascii():
                raise VbaError(
                    f"VBA 模块 {self.name} 第 {number} 行含有非 ASCII 字符：VBA 源码按代码页 {CODEPAGE} 保存，"
                    "中文请写成 Unicode 码点（见 PerfevalRibbon.Unhex）。"
                )
        found = _VB_NAME.search(self.source.replace("\r\n", "\n"))
        if not found or found.group(1) != self.name:
            raise VbaError(f'VBA 模块 {self.name} 缺少 Attribute VB_Name = "{self.name}" 这一行')

    @classmethod
    def from_text(cls, text: str, kind: ModuleKind | None = None) -> VbaModule:
        """A module from exported text (.bas or .cls); kind defaults from the text itself."""
        is_class = _lines(text)[0].startswith("VERSION ")
        source = strip_class_header(text)
        found = _VB_NAME.search(source)
        if not found:
            raise VbaError("VBA 源文件缺少 Attribute VB_Name 行")
        if kind is None:
            # Document modules (ThisWorkbook, sheets) are the ones bound to a host object by VB_Base.
            base = re.search(r'^Attribute VB_Base = "([^"]*)"', source, re.MULTILINE)
            if base and base.group(1) != CLASS_BASE:
                kind = "document"
            else:
                kind = "class" if is_class or base else "standard"
        return cls(found.group(1), kind, source)

    @classmethod
    def from_file(cls, path: Path, kind: ModuleKind | None = None) -> VbaModule:
        # Non-ASCII bytes become U+FFFD here so the check above can name the line.
        return cls.from_text(path.read_text(encoding="utf-8", errors="replace"), kind)

    def stored_source(self) -> bytes:
        """The module text with CRLF line endings, ending in one CRLF, in the project code page.

        A class module gets the rest of the header the VBE stores (VB_Base...) here, so that `source`
        stays the exported text, which no reader mistakes for a document module.
        """
        lines = _lines(self.source)
        if self.kind == "class":
            lines = self._class_header(lines)
        text = "\r\n".join(lines).rstrip("\r\n") + "\r\n"
        return text.encode("cp1252")

    def _class_header(self, lines: list[str]) -> list[str]:
        """`lines` with the leading Attribute lines as the VBE stores a class's: CLASS_HEADER in order,
        the source's values kept, then the source's other leading attributes (VB_Description...)."""
        leading: list[re.Match[str]] = []
        for line in lines:
            match = _ATTRIBUTE.match(line)
            if not match:
                break
            leading.append(match)
        found = {m.group(1): m.group(2) for m in leading}
        header = [f'Attribute VB_Name = "{self.name}"']
        header += [f"Attribute {key} = {found.get(key, default)}" for key, default in CLASS_HEADER.items()]
        header += [m.group(0) for m in leading if m.group(1) not in {"VB_Name", *CLASS_HEADER}]
        return header + lines[len(leading) :]


# --- the dir stream -----------------------------------------------------------------------------


def _rec(record_id: int, data: bytes = b"") -> bytes:
    return record_id.to_bytes(2, "little") + len(data).to_bytes(4, "little") + data


def _u16(v: int) -> bytes:
    return v.to_bytes(2, "little")


def _u32(v: int) -> bytes:
    return v.to_bytes(4, "little")


def _mbcs(text: str) -> bytes:
    return text.encode("cp1252")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def parse_dir(dir_data: bytes) -> list[tuple[int, bytes]]:
    """Records of a decompressed dir stream as (id, raw bytes of the whole record)."""
    records: list[tuple[int, bytes]] = []
    i = 0
    while i < len(dir_data):
        if i + 6 > len(dir_data):
            raise VbaError("truncated dir stream")
        record_id = int.from_bytes(dir_data[i : i + 2], "little")
        size = 6 if record_id == PROJECTVERSION else int.from_bytes(dir_data[i + 2 : i + 6], "little")
        records.append((record_id, dir_data[i : i + 6 + size]))
        i += 6 + size
        if record_id == 0x0010:
            break
    return records


def _dir_stream(modules: Sequence[VbaModule], project_name: str, references: bytes) -> bytes:
    info = (
        _rec(0x0001, _u32(1))  # SysKind: 32-bit Windows, as in the reference add-in
        + _rec(0x0002, _u32(LCID_EN_US))
        + _rec(0x0014, _u32(LCID_EN_US))
        + _rec(0x0003, _u16(CODEPAGE))
        + _rec(0x0004, _mbcs(project_name))
        + _rec(0x0005)  # docstring, then its Unicode twin
        + _rec(0x0040)
        + _rec(0x0006)  # help file, then its second copy
        + _rec(0x003D)
        + _rec(0x0007, _u32(0))  # help context
        + _rec(0x0008, _u32(0))  # lib flags
        + _u16(PROJECTVERSION)
        + _u32(4)
        + _u32(1)  # version major
        + _u16(0)  # version minor
        + _rec(0x000C)  # conditional compilation constants, then their Unicode twin
        + _rec(0x003C)
    )
    mods = _rec(0x000F, _u16(len(modules))) + _rec(0x0013, _u16(0xFFFF))
    for m in modules:
        mods += (
            _rec(0x0019, _mbcs(m.name))
            + _rec(0x0047, _utf16(m.name))
            + _rec(0x001A, _mbcs(m.name))  # stream name = module name
            + _rec(0x0032, _utf16(m.name))
            + _rec(0x001C)  # docstring: Excel takes VB_Description from the source when it compiles
            + _rec(0x0048)
            + _rec(0x0031, _u32(0))  # source starts at offset 0: no compiled code before it
            + _rec(0x001E, _u32(0))
            + _rec(0x002C, _u16(0xFFFF))
            + _rec(MODULETYPE_PROCEDURAL if m.kind == "standard" else MODULETYPE_OTHER)
            + _rec(0x002B)
        )
    return info + references + mods + _rec(0x0010)


def _project_stream(modules: Sequence[VbaModule], project_name: str) -> bytes:
    items = []
    for m in modules:
        if m.kind == "document":
            items.append(f"Document={m.name}/&H00000000")
        elif m.kind == "class":
            items.append(f"Class={m.name}")
        else:
            items.append(f"Module={m.name}")
    lines = [
        f'ID="{PROJECT_ID}"',
        *items,
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(NOT_PROTECTED)}"',
        f'DPB="{encrypt(NO_PASSWORD)}"',
        f'GC="{encrypt(VISIBLE)}"',
        "",
        "[Host Extender Info]",
        HOST_EXTENDER_INFO,
        "",
        "[Workspace]",
        *(f"{m.name}=0, 0, 0, 0, C" for m in modules),
        "",
        "",
    ]
    return "\r\n".join(lines).encode("cp1252")


def _projectwm_stream(modules: Sequence[VbaModule]) -> bytes:
    return b"".join(_mbcs(m.name) + b"\0" + _utf16(m.name) + b"\0\0" for m in modules) + b"\0\0"


def build_vba_project(
    modules: Iterable[VbaModule], project_name: str = "perfeval", references: bytes | None = None
) -> bytes:
    """The bytes of a vbaProject.bin holding `modules` in the given order.

    `references`: raw REFERENCE records of the dir stream; by default those of the add-in that ships
    with the pinned xlwings (they include the Office library, where IRibbonControl lives).
    """
    mods = list(modules)
    names = [m.name.upper() for m in mods]
    if len(set(names)) != len(names):
        raise VbaError("VBA 模块名重复（不区分大小写）")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,127}", project_name):
        raise VbaError(f"VBA 工程名不合法：{project_name!r}")
    if references is None:
        references = xlwings_references()
    vba: dict[str, bytes] = {
        "dir": compress(_dir_stream(mods, project_name, references)),
        "_VBA_PROJECT": VBA_PROJECT_STREAM,
    }
    for m in mods:
        try:
            vba[m.name] = compress(m.stored_source())
        except VbaError as e:
            raise VbaError(f"VBA 模块 {m.name} 无法按 [MS-OVBA] 压缩保存：{e}") from e
    return write_cfb(
        {"PROJECT": _project_stream(mods, project_name), "PROJECTwm": _projectwm_stream(mods), "VBA": vba}
    )


# --- reading (tests, and the references of the reference add-in) --------------------------------


def _open(bin_bytes: bytes):  # -> olefile.OleFileIO
    import olefile

    return olefile.OleFileIO(io.BytesIO(bin_bytes))


def read_dir(bin_bytes: bytes) -> list[tuple[int, bytes]]:
    """The dir stream's records of a vbaProject.bin."""
    with _open(bin_bytes) as ole:
        return parse_dir(decompress(ole.openstream("VBA/dir").read()))


def read_references(bin_bytes: bytes) -> bytes:
    """The REFERENCE records of a project, verbatim, ready for `build_vba_project(references=...)`."""
    out = bytearray()
    for record_id, raw in read_dir(bin_bytes):
        if record_id == 0x000F:  # PROJECTMODULES: references are over
            break
        if record_id in REFERENCE_IDS:
            out += raw
    return bytes(out)


def read_modules(bin_bytes: bytes) -> dict[str, str]:
    """Module name -> source text, read back with olefile and our own decompressor."""
    codepage, name, stream, offset = CODEPAGE, "", "", 0
    found: list[tuple[str, str, int]] = []
    for record_id, raw in read_dir(bin_bytes):
        body = raw[6:]
        if record_id == 0x0003:
            codepage = int.from_bytes(body, "little")
        elif record_id == 0x0019:
            name = body.decode(f"cp{codepage}")
        elif record_id == 0x001A:
            stream = body.decode(f"cp{codepage}")
        elif record_id == 0x0031:
            offset = int.from_bytes(body, "little")
        elif record_id == 0x002B:
            found.append((name, stream, offset))
    with _open(bin_bytes) as ole:
        return {
            n: decompress(ole.openstream(f"VBA/{s}").read()[off:]).decode(f"cp{codepage}")
            for n, s, off in found
        }


def xlwings_references() -> bytes:
    """REFERENCE records of the ribbon add-in shipped with the installed xlwings."""
    import zipfile

    import xlwings

    xlam = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
    with zipfile.ZipFile(xlam) as z:
        return read_references(z.read("xl/vbaProject.bin"))
