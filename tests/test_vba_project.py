"""perfeval.vba: the compound-file writer and the VBA project, checked against olefile, oletools and
the vbaProject.bin that ships with the pinned xlwings (a project Excel itself wrote)."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import olefile
import pytest
import xlwings
from oletools.olevba import VBA_Parser, decompress_stream

from perfeval.vba import cfb, ovba
from perfeval.vba.cfb import CfbError, name_key, write_cfb
from perfeval.vba.ovba import (
    VbaError,
    VbaModule,
    build_vba_project,
    compress,
    decompress,
    decrypt,
    encrypt,
    read_dir,
    read_modules,
    read_references,
)

ROOT = Path(__file__).resolve().parents[1]
MACROS = ROOT / "macros"
XLWINGS = Path(xlwings.__file__).parent
REFERENCE_BIN = zipfile.ZipFile(XLWINGS / "quickstart_addin_ribbon.xlam").read("xl/vbaProject.bin")

# --- compression ----------------------------------------------------------------------------------

# [MS-OVBA] 3.2.1-3.2.3: no compression, normal compression, maximum compression.
SPEC_EXAMPLES = [
    (
        b"abcdefghijklmnopqrstuv.",
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E",
    ),
    (
        b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 6D 6E 6F"
        " 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C",
    ),
    (b"a" * 73, "01 03 B0 02 61 45 00"),
]


@pytest.mark.parametrize(("raw", "packed"), SPEC_EXAMPLES)
def test_compression_matches_the_spec_examples(raw: bytes, packed: str) -> None:
    assert compress(raw) == bytes.fromhex(packed)
    assert decompress(bytes.fromhex(packed)) == raw
    assert bytes(decompress_stream(bytearray(bytes.fromhex(packed)))) == raw


def _samples() -> list[bytes]:
    rng = random.Random(20240601)
    text = (XLWINGS / "xlwings_custom_addin.bas").read_bytes()
    return [
        b"",
        b"x",
        b"\0" * 10_000,
        b"ab" * 9_000,
        text,
        text[:4096],
        text[:4097],
        bytes(rng.randrange(256) for _ in range(4096 * 3)),  # incompressible, whole chunks: raw chunks
        bytes(rng.randrange(256) for _ in range(1000)),  # incompressible, short: still a compressed chunk
        bytes(rng.choice(b"ab ") for _ in range(20_000)),
    ]


@pytest.mark.parametrize("data", _samples(), ids=lambda d: f"{len(d)}B")
def test_compression_round_trips_and_oletools_agrees(data: bytes) -> None:
    packed = compress(data)
    assert decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data


def _chunks(packed: bytes) -> list[tuple[int, int]]:
    """(header, size of the whole chunk) of each chunk of a CompressedContainer."""
    out, i = [], 1
    while i < len(packed):
        header = int.from_bytes(packed[i : i + 2], "little")
        size = (header & 0x0FFF) + 3
        out.append((header, size))
        i += size
    return out


# Random printable text: barely compressible, and (unlike random bytes) what a VBA module may hold.
NOISE = bytes(random.Random(11).choices(range(0x21, 0x7F), k=3 * 4096))


@pytest.mark.parametrize("tail", [1, 1000, 3000, 3600])
def test_an_incompressible_short_last_chunk_is_a_token_chunk_larger_than_its_bytes(tail: int) -> None:
    # [MS-OVBA] 2.4.1.1.6: a raw chunk holds 4096 bytes, so a shorter last chunk stored raw would be
    # padded, and every reader would return the padding as source (2.4.1.3.10 pads with NULs).
    data = NOISE[: 2 * 4096 + tail]
    packed = compress(data)
    chunks = _chunks(packed)
    assert len(chunks) == 3 and sum(size for _, size in chunks) == len(packed) - 1
    assert [header for header, _ in chunks[:2]] == [0x3FFF, 0x3FFF]  # whole chunks that do not shrink: raw
    header, size = chunks[-1]
    assert header & 0x8000 and header >> 12 & 0b111 == 0b011  # compressed (token) chunk
    assert size - 2 > tail  # larger than the bytes it holds, which is allowed; padding is not
    assert decompress(packed) == data
    assert bytes(decompress_stream(bytearray(packed))) == data
    assert not decompress(packed).endswith(b"\0")


def test_a_short_last_chunk_no_chunk_can_hold_is_refused_not_padded() -> None:
    # 3800 random bytes need 3800 literals and 475 flag bytes: more than a chunk's 4096. No conforming
    # container decompresses to exactly these bytes, so compress says so instead of appending NULs.
    data = random.Random(7).randbytes(4096 + 3800)
    with pytest.raises(VbaError, match="NUL"):
        compress(data)
    source = 'Attribute VB_Name = "Noise"\r\n\' ' + NOISE[:7963].decode(
        "ascii"
    )  # 3900 bytes in the last chunk
    with pytest.raises(VbaError, match="Noise"):
        build_vba_project([VbaModule("Noise", "standard", source)])


def test_text_really_compresses() -> None:
    text = (XLWINGS / "xlwings_custom_addin.bas").read_bytes()
    assert len(compress(text)) < len(text) * 0.6


def test_our_reader_matches_olevba_on_the_project_excel_wrote() -> None:
    ours = read_modules(REFERENCE_BIN)
    theirs = {
        Path(name).stem: code
        for _, _, name, code in VBA_Parser("ref.bin", data=REFERENCE_BIN).extract_macros()
    }
    assert set(ours) == set(theirs) == {"ThisWorkbook", "Dictionary", "RibbonMyAddin", "Sheet2", "xlwings"}
    for name, code in theirs.items():
        assert ours[name] == code, name
    ole = olefile.OleFileIO(io.BytesIO(REFERENCE_BIN))
    for path in ole.listdir():
        if path[0] == "VBA" and path[1] not in ("dir", "_VBA_PROJECT"):
            stream = ole.openstream(path).read()
            offset = next(
                int.from_bytes(raw[6:], "little")
                for rid, raw in _module_records(REFERENCE_BIN, path[1])
                if rid == 0x0031
            )
            assert decompress(stream[offset:]) == bytes(decompress_stream(bytearray(stream[offset:])))


def _module_records(bin_bytes: bytes, module: str) -> list[tuple[int, bytes]]:
    records = read_dir(bin_bytes)
    start = next(i for i, (rid, raw) in enumerate(records) if rid == 0x0019 and raw[6:] == module.encode())
    end = next(i for i in range(start, len(records)) if records[i][0] == 0x002B)
    return records[start : end + 1]


# --- PROJECT stream obfuscation (CMG, DPB, GC) ----------------------------------------------------


def test_decrypt_reads_the_reference_project_as_unprotected() -> None:
    ole = olefile.OleFileIO(io.BytesIO(REFERENCE_BIN))
    lines = dict(
        line.split("=", 1)
        for line in ole.openstream("PROJECT").read().decode("cp1252").splitlines()
        if "=" in line
    )
    assert decrypt(lines["CMG"].strip('"')) == b"\0\0\0\0"
    assert decrypt(lines["DPB"].strip('"')) == b"\0"
    assert decrypt(lines["GC"].strip('"')) == b"\xff"


@pytest.mark.parametrize("seed", [0x00, 0x3A, 0x5D, 0xFF])
def test_encrypt_round_trips(seed: int) -> None:
    for data in (b"", b"\0", b"\xff", b"\0\0\0\0", b"secret"):
        assert decrypt(encrypt(data, seed=seed)) == data


# --- compound file --------------------------------------------------------------------------------


def _flat(tree: cfb.Tree, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], bytes | None]:
    out: dict[tuple[str, ...], bytes | None] = {}
    for name, value in tree.items():
        if isinstance(value, bytes):
            out[(*prefix, name)] = value
        else:
            out[(*prefix, name)] = None
            out.update(_flat(value, (*prefix, name)))
    return out


def _check_directory_tree(ole: olefile.OleFileIO) -> None:
    """Each storage's children form a binary search tree in CFB order and a valid red-black tree."""
    entries = ole.direntries

    def walk(sid: int) -> tuple[list[str], int]:  # in-order names, black height
        if sid == cfb.NOSTREAM:
            return [], 1
        e = entries[sid]
        left, lh = walk(e.sid_left)
        right, rh = walk(e.sid_right)
        assert lh == rh, f"unequal black height under {e.name}"
        if e.color == cfb.RED:
            for child in (e.sid_left, e.sid_right):
                assert child == cfb.NOSTREAM or entries[child].color == cfb.BLACK, "red node with a red child"
        return [*left, e.name, *right], lh + (e.color == cfb.BLACK)

    for e in entries:
        if (
            e is not None
            and e.entry_type in (cfb.TYPE_STORAGE, cfb.TYPE_ROOT)
            and e.sid_child != cfb.NOSTREAM
        ):
            names, _ = walk(e.sid_child)
            assert names == sorted(names, key=name_key)
            assert len({name_key(n) for n in names}) == len(names)


@pytest.mark.parametrize("n_streams", [1, 2, 3, 6, 7, 8, 20])
def test_olefile_reads_what_we_write(n_streams: int) -> None:
    rng = random.Random(n_streams)
    sizes = [0, 1, 63, 64, 65, 4095, 4096, 4097, 70_000]
    vba = {
        f"Module{i}": bytes(rng.randrange(256) for _ in range(sizes[i % len(sizes)]))
        for i in range(n_streams)
    }
    tree: dict = {
        "PROJECT": b"ID=...",
        "VBA": vba,
        "Deep": {"Deeper": {"leaf": b"z" * 5000}},
        "b": b"",
        "AA": b"a",
    }
    data = write_cfb(tree)
    assert len(data) % 512 == 0
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert (ole.dll_version, ole.minor_version, ole.sector_size, ole.mini_sector_size) == (3, 0x3E, 512, 64)
    expected = _flat(tree)
    listed = {tuple(p) for p in ole.listdir(streams=True, storages=True)}
    assert listed == set(expected)
    for path, content in expected.items():
        if content is None:
            assert ole.get_type("/".join(path)) == olefile.STGTY_STORAGE
        else:
            assert ole.openstream("/".join(path)).read() == content
            assert ole.get_size("/".join(path)) == len(content)
    _check_directory_tree(ole)
    assert all(e.createTime == e.modifyTime == 0 for e in ole.direntries if e is not None)
    assert write_cfb(tree) == data


def test_a_file_larger_than_109_fat_sectors_needs_and_gets_a_difat() -> None:
    big = bytes(range(256)) * (110 * 128 * 2 + 10)  # > 109 * 128 sectors of 512 bytes
    data = write_cfb({"big": big, "small": b"s" * 100})
    ole = olefile.OleFileIO(io.BytesIO(data))
    assert ole.num_difat_sectors >= 1
    assert ole.openstream("big").read() == big
    assert ole.openstream("small").read() == b"s" * 100


def test_sibling_order_is_length_first_then_case_insensitive() -> None:
    names = ["dir", "_VBA_PROJECT", "ThisWorkbook", "Sheet1", "xlwings", "PerfevalMarks", "b", "AB", "aa"]
    assert sorted(names, key=name_key) == [
        "b",
        "aa",
        "AB",
        "dir",
        "Sheet1",
        "xlwings",
        "ThisWorkbook",
        "_VBA_PROJECT",
        "PerfevalMarks",
    ]


@pytest.mark.parametrize("tree", [{"a/b": b""}, {"x" * 32: b""}, {"": b""}, {"abc": b"", "ABC": b""}])
def test_bad_names_are_refused(tree: dict) -> None:
    with pytest.raises(CfbError):
        write_cfb(tree)


# --- modules and the project ----------------------------------------------------------------------


def test_module_kinds_and_class_header() -> None:
    doc = VbaModule.from_file(MACROS / "ThisWorkbook.cls")
    assert doc.kind == "document" and doc.name == "ThisWorkbook"
    assert not doc.source.startswith("VERSION") and "MultiUse" not in doc.source
    assert doc.source.startswith('Attribute VB_Name = "ThisWorkbook"')
    cls = VbaModule.from_file(XLWINGS / "addin" / "Dictionary.cls")
    assert cls.kind == "class" and "Attribute VB_PredeclaredId = False" in cls.source
    assert VbaModule.from_file(MACROS / "PerfevalRibbon.bas").kind == "standard"
    assert VbaModule("M", "standard", 'Attribute VB_Name = "M"\nSub A()\nEnd Sub').stored_source() == (
        b'Attribute VB_Name = "M"\r\nSub A()\r\nEnd Sub\r\n'
    )


CLASS_HEADER_LINES = [
    'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"',
    "Attribute VB_GlobalNameSpace = False",
    "Attribute VB_Creatable = False",
    "Attribute VB_PredeclaredId = False",
    "Attribute VB_Exposed = False",
    "Attribute VB_TemplateDerived = False",
    "Attribute VB_Customizable = False",
]


def test_a_class_module_is_stored_with_the_header_the_vbe_writes() -> None:
    # An exported .cls has no VB_Base (nor VB_TemplateDerived, VB_Customizable); Excel needs VB_Base to
    # compile `New Dictionary`. The source keeps the exported text; the stored stream gets the header.
    bare = VbaModule("C", "class", 'Attribute VB_Name = "C"\nOption Explicit\n')
    stored = bare.stored_source().decode().split("\r\n")
    assert stored == ['Attribute VB_Name = "C"', *CLASS_HEADER_LINES, "Option Explicit", ""]
    assert "VB_Base" not in bare.source
    # Values the source gives are kept, in the VBE's order; other attributes follow the header.
    text = (
        "VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  'True\nEND\n"
        'Attribute VB_Name = "C"\nAttribute VB_Description = "d"\nAttribute VB_Exposed = True\n'
        "Attribute VB_PredeclaredId = True\n' body\n"
    )
    header = VbaModule.from_text(text).stored_source().decode().split("\r\n")[:10]
    assert header == [
        'Attribute VB_Name = "C"',
        *CLASS_HEADER_LINES[:3],
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        *CLASS_HEADER_LINES[5:],
        'Attribute VB_Description = "d"',
        "' body",
    ]
    # A source that already carries the whole header (one read back from a project) is stored as is,
    # and its class VB_Base does not make it a document module.
    again = VbaModule.from_text(bare.stored_source().decode())
    assert again.kind == "class" and again.stored_source() == bare.stored_source()
    for document in ("ThisWorkbook.cls", "Sheet1.cls"):  # document and standard modules: untouched
        doc = VbaModule.from_file(MACROS / document)
        assert doc.stored_source().decode() == doc.source.replace("\n", "\r\n").rstrip("\r\n") + "\r\n"


def test_non_ascii_source_fails_the_build() -> None:
    with pytest.raises(VbaError, match="非 ASCII"):
        VbaModule("M", "standard", 'Attribute VB_Name = "M"\nMsgBox "校验"\n')
    with pytest.raises(VbaError, match="VB_Name"):
        VbaModule("M", "standard", "Sub A()\nEnd Sub\n")


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_chinese_macro_file_names_its_line(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "M.bas"
    path.write_bytes('Attribute VB_Name = "M"\r\nMsgBox "校验"\r\n'.encode(encoding))
    with pytest.raises(VbaError, match="M 第 2 行含有非 ASCII 字符"):
        VbaModule.from_file(path)


MODULES = [
    VbaModule.from_file(MACROS / "ThisWorkbook.cls"),
    VbaModule.from_file(MACROS / "Sheet1.cls"),
    VbaModule.from_file(MACROS / "PerfevalRibbon.bas"),
    VbaModule.from_file(XLWINGS / "addin" / "Dictionary.cls"),
]


def test_the_project_reads_back_through_olevba() -> None:
    data = build_vba_project(MODULES, "perfeval")
    parser = VBA_Parser("vbaProject.bin", data=data)
    assert parser.detect_vba_macros()
    got = {name: code for _, _, name, code in parser.extract_macros()}
    # olevba names a module .bas for MODULETYPE 0x21 and .cls for 0x22
    assert set(got) == {"ThisWorkbook.cls", "Sheet1.cls", "PerfevalRibbon.bas", "Dictionary.cls"}
    for m in MODULES:
        code = got[f"{m.name}.{'bas' if m.kind == 'standard' else 'cls'}"]
        assert code.encode("cp1252") == m.stored_source()
    assert read_modules(data) == {m.name: m.stored_source().decode() for m in MODULES}


def test_project_streams_follow_ms_ovba() -> None:
    data = build_vba_project(MODULES, "perfeval")
    ole = olefile.OleFileIO(io.BytesIO(data))
    ours = ole.openstream("VBA/_VBA_PROJECT").read()
    assert ours[:4] == bytes.fromhex("CC61FFFF")  # Version 0xFFFF: no compiled code, Excel recompiles
    with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam") as z:
        shipped = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
    assert ours == shipped.openstream("VBA/_VBA_PROJECT").read()  # byte for byte what xlwings ships
    project = ole.openstream("PROJECT").read().decode("cp1252")
    lines = project.split("\r\n")
    assert lines[0].startswith('ID="{') and lines[1:5] == [
        "Document=ThisWorkbook/&H00000000",
        "Document=Sheet1/&H00000000",
        "Module=PerfevalRibbon",
        "Class=Dictionary",
    ]
    for expected in ('Name="perfeval"', 'HelpContextID="0"', 'VersionCompatible32="393222000"'):
        assert expected in lines
    values = dict(line.split("=", 1) for line in lines if line.startswith(("CMG=", "DPB=", "GC=")))
    assert decrypt(values["CMG"].strip('"')) == b"\0\0\0\0"
    assert decrypt(values["DPB"].strip('"')) == b"\0"
    assert decrypt(values["GC"].strip('"')) == b"\xff"
    assert "[Host Extender Info]" in lines and "[Workspace]" in lines
    assert "Dictionary=0, 0, 0, 0, C" in lines
    wm = ole.openstream("PROJECTwm").read()
    assert wm.startswith(b"ThisWorkbook\0" + "ThisWorkbook".encode("utf-16-le") + b"\0\0") and wm.endswith(
        b"\0\0\0\0"
    )

    records = read_dir(data)
    ids = [rid for rid, _ in records]
    assert ids[:4] == [0x0001, 0x0002, 0x0014, 0x0003] and ids[-1] == 0x0010
    assert dict(records)[0x0003][6:] == (1252).to_bytes(2, "little")
    assert dict(records)[0x0004][6:] == b"perfeval"
    for m in MODULES:
        recs = dict(_module_records(data, m.name))
        assert recs[0x0031][6:] == b"\0\0\0\0"  # source at offset 0: no compiled code
        assert (0x0021 if m.kind == "standard" else 0x0022) in recs


def test_references_are_the_reference_add_ins_and_include_office() -> None:
    refs = read_references(REFERENCE_BIN)
    assert b"{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}" in refs  # the Office library: IRibbonControl
    assert read_references(build_vba_project(MODULES)) == refs


def test_build_is_deterministic_and_refuses_duplicates() -> None:
    assert build_vba_project(MODULES) == build_vba_project(MODULES)
    with pytest.raises(VbaError):
        build_vba_project([*MODULES, VbaModule("sheet1", "document", 'Attribute VB_Name = "sheet1"\n')])
    assert ovba.PROJECT_ID.startswith("{")
