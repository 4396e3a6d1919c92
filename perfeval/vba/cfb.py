"""A minimal writer for Compound File Binary files ([MS-CFB], version 3, 512-byte sectors).

No well-kept Python library writes compound files: olefile only reads them and can overwrite a stream
in place with data of the same size, which cannot create a VBA project. This module writes a whole
file from a tree of storages and streams, deterministically: zero timestamps, zero CLSIDs, sorted
siblings and a fixed layout, so the same tree always gives the same bytes.

Layout: header, FAT sectors, DIFAT sectors, MiniFAT sectors, directory sectors, the mini stream,
then each large stream, all in sibling order. Streams under 4096 bytes live in the mini stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TypeAlias

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
DIR_ENTRY = 128
IDS_PER_SECTOR = SECTOR // 4
DIFAT_IN_HEADER = 109

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
DIFSECT = 0xFFFFFFFC
NOSTREAM = 0xFFFFFFFF

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
TYPE_STORAGE, TYPE_STREAM, TYPE_ROOT = 1, 2, 5
RED, BLACK = 0, 1

# A storage maps names to streams (bytes) or nested storages.
Tree: TypeAlias = Mapping[str, "bytes | Tree"]


class CfbError(ValueError):
    """The tree cannot be written as a compound file."""


def name_key(name: str) -> tuple[int, str]:
    """Sibling order per [MS-CFB] 2.6.4: shorter names first, then a per-character uppercase compare."""
    units = len(name.encode("utf-16-le")) // 2
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name)
    return units, upper


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    index: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def _check_name(name: str) -> None:
    if not name or len(name.encode("utf-16-le")) // 2 > 31:
        raise CfbError(f"entry name must have 1 to 31 characters: {name!r}")
    if any(c in name for c in "/\\:!"):
        raise CfbError(f"entry name must not contain / \\ : or !: {name!r}")


def _entries(tree: Tree, name: str, kind: int) -> _Entry:
    entry = _Entry(name, kind)
    keys = sorted(tree, key=name_key)
    for a, b in pairwise(keys):
        if name_key(a) == name_key(b):
            raise CfbError(f"two entries compare equal: {a!r} and {b!r}")
    for key in keys:
        _check_name(key)
        value = tree[key]
        if isinstance(value, bytes | bytearray):
            entry.children.append(_Entry(key, TYPE_STREAM, bytes(value)))
        else:
            storage = _entries(value, key, TYPE_STORAGE)
            storage.start = 0  # storages own no sectors
            entry.children.append(storage)
    return entry


def _link_siblings(siblings: list[_Entry]) -> int:
    """Build a balanced binary search tree over sorted siblings; return the root's index.

    The middle-split tree has its missing children on at most two depths; colouring the nodes of an
    incomplete last level red keeps every path's black count equal, so it is a valid red-black tree.
    """
    depth: dict[int, int] = {}

    def build(lo: int, hi: int, d: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = siblings[mid]
        depth[mid] = d
        node.left = build(lo, mid, d + 1)
        node.right = build(mid + 1, hi, d + 1)
        return node.index

    root = build(0, len(siblings), 0)
    n = len(siblings)
    if n and (n + 1) & n:  # n + 1 not a power of two: the last level is incomplete
        last = max(depth.values())
        for i, d in depth.items():
            siblings[i].color = RED if d == last else BLACK
    return root


def _flatten(root: _Entry) -> list[_Entry]:
    order: list[_Entry] = []
    queue = [root]
    while queue:  # breadth first, siblings in sort order: a stable, readable directory
        entry = queue.pop(0)
        entry.index = len(order)
        order.append(entry)
        queue.extend(entry.children)
    for entry in order:
        if entry.children:
            entry.child = _link_siblings(entry.children)
    return order


def _chain(fat: list[int], start: int, count: int) -> None:
    for i in range(count):
        fat[start + i] = start + i + 1 if i < count - 1 else ENDOFCHAIN


def _pad(data: bytes, unit: int) -> bytes:
    return data + b"\0" * (-len(data) % unit)


def _dir_entry(e: _Entry) -> bytes:
    encoded = e.name.encode("utf-16-le") + b"\0\0"
    return (
        encoded.ljust(64, b"\0")
        + len(encoded).to_bytes(2, "little")
        + bytes([e.kind, e.color])
        + e.left.to_bytes(4, "little")
        + e.right.to_bytes(4, "little")
        + e.child.to_bytes(4, "little")
        + b"\0" * 16  # CLSID
        + b"\0" * 4  # state bits
        + b"\0" * 16  # creation and modification times
        + e.start.to_bytes(4, "little")
        + e.size.to_bytes(8, "little")
    )


# An unused slot: all zero except the three sibling/child pointers ([MS-CFB] 2.6.3).
_FREE_ENTRY = b"\0" * 68 + NOSTREAM.to_bytes(4, "little") * 3 + b"\0" * 48


def write_cfb(tree: Tree) -> bytes:
    """Serialize a tree of storages (mappings) and streams (bytes) as a CFB version 3 file."""
    root = _entries(tree, "Root Entry", TYPE_ROOT)
    entries = _flatten(root)
    streams = [e for e in entries if e.kind == TYPE_STREAM]
    small = [e for e in streams if len(e.data) < MINI_CUTOFF]
    large = [e for e in streams if len(e.data) >= MINI_CUTOFF]

    # Mini stream: each small stream starts on a 64-byte boundary.
    minifat: list[int] = []
    mini = bytearray()
    for e in small:
        e.size = len(e.data)
        if not e.data:
            continue
        count = -(-len(e.data) // MINI_SECTOR)
        e.start = len(minifat)
        minifat.extend([0] * count)
        _chain(minifat, e.start, count)
        mini += _pad(e.data, MINI_SECTOR)

    n_minifat = -(-len(minifat) * 4 // SECTOR)
    n_dir = -(-len(entries) * DIR_ENTRY // SECTOR)
    n_mini = -(-len(mini) // SECTOR)
    n_large = [-(-len(e.data) // SECTOR) for e in large]
    n_data = n_minifat + n_dir + n_mini + sum(n_large)

    # The FAT must also map its own sectors and the DIFAT's: grow both until they fit.
    n_fat = n_difat = 0
    while True:
        total = n_fat + n_difat + n_data
        need_fat = -(-total // IDS_PER_SECTOR)
        need_difat = max(0, -(-(need_fat - DIFAT_IN_HEADER) // (IDS_PER_SECTOR - 1)))
        if (need_fat, need_difat) == (n_fat, n_difat):
            break
        n_fat, n_difat = need_fat, need_difat

    fat = [FREESECT] * (n_fat * IDS_PER_SECTOR)
    pos = 0
    fat_sectors = list(range(pos, pos + n_fat))
    for s in fat_sectors:
        fat[s] = FATSECT
    pos += n_fat
    difat_sectors = list(range(pos, pos + n_difat))
    for s in difat_sectors:
        fat[s] = DIFSECT
    pos += n_difat
    minifat_start = pos if n_minifat else ENDOFCHAIN
    _chain(fat, pos, n_minifat)
    pos += n_minifat
    dir_start = pos
    _chain(fat, pos, n_dir)
    pos += n_dir
    root.start = pos if n_mini else ENDOFCHAIN
    root.size = len(mini)
    _chain(fat, pos, n_mini)
    pos += n_mini
    for e, count in zip(large, n_large, strict=True):
        e.start, e.size = pos, len(e.data)
        _chain(fat, pos, count)
        pos += count

    difat = fat_sectors + [FREESECT] * max(0, DIFAT_IN_HEADER - n_fat)
    header = (
        SIGNATURE
        + b"\0" * 16  # header CLSID
        + (0x003E).to_bytes(2, "little")  # minor version
        + (0x0003).to_bytes(2, "little")  # major version 3: 512-byte sectors
        + (0xFFFE).to_bytes(2, "little")  # byte order: little endian
        + (9).to_bytes(2, "little")  # sector shift: 2^9
        + (6).to_bytes(2, "little")  # mini sector shift: 2^6
        + b"\0" * 6
        + (0).to_bytes(4, "little")  # directory sector count: always 0 in version 3
        + n_fat.to_bytes(4, "little")
        + dir_start.to_bytes(4, "little")
        + (0).to_bytes(4, "little")  # transaction signature
        + MINI_CUTOFF.to_bytes(4, "little")
        + minifat_start.to_bytes(4, "little")
        + n_minifat.to_bytes(4, "little")
        + (difat_sectors[0] if difat_sectors else ENDOFCHAIN).to_bytes(4, "little")
        + n_difat.to_bytes(4, "little")
        + b"".join(s.to_bytes(4, "little") for s in difat[:DIFAT_IN_HEADER])
    )
    assert len(header) == SECTOR

    body = bytearray()
    body += b"".join(v.to_bytes(4, "little") for v in fat)
    rest = difat[DIFAT_IN_HEADER:]
    for i in range(n_difat):
        ids = rest[i * (IDS_PER_SECTOR - 1) : (i + 1) * (IDS_PER_SECTOR - 1)]
        ids += [FREESECT] * (IDS_PER_SECTOR - 1 - len(ids))
        nxt = difat_sectors[i + 1] if i + 1 < n_difat else ENDOFCHAIN
        body += b"".join(v.to_bytes(4, "little") for v in [*ids, nxt])
    minifat_bytes = b"".join(v.to_bytes(4, "little") for v in minifat)
    body += minifat_bytes + FREESECT.to_bytes(4, "little") * ((n_minifat * SECTOR - len(minifat_bytes)) // 4)
    directory = b"".join(_dir_entry(e) for e in entries)
    body += directory + _FREE_ENTRY * ((n_dir * SECTOR - len(directory)) // DIR_ENTRY)
    body += _pad(bytes(mini), SECTOR)
    for e in large:
        body += _pad(e.data, SECTOR)
    assert len(body) == pos * SECTOR
    return header + bytes(body)
