"""文字雷同: narrative texts near-identical to another unit's (character 3-gram Jaccard >= 0.9).

Identical texts are grouped first (template text left in many files would otherwise compare every pair);
the distinct texts are paired through a bottom-k sketch of their shingles, and each candidate pair is then
measured exactly. Two sets with Jaccard J share the smallest shingle of their union with probability J, so
with k = 8 a pair at 0.9 is missed with probability below 1e-8.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import combinations

THRESHOLD = 0.9
_K = 8
_SPACE = re.compile(r"\s+")


def shingles(text: str) -> frozenset[str]:
    t = _SPACE.sub("", text)
    return frozenset(t[i : i + 3] for i in range(max(1, len(t) - 2)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


Key = tuple[int, int]  # (file, row)


def near_identical(items: list[tuple[Key, str, str]]) -> dict[Key, tuple[frozenset[int], list[str]]]:
    """items: (key, label, text). For each key with a text near-identical to another file's: the files
    holding such a text (a shared set, which may include the key's own file) and the key's labels that
    matched. Texts of the same file are not compared with each other.

    Linear in the number of keys when many files carry the same text (a template paragraph left in 1,000
    files): files and unions are computed per distinct text and shared, not per pair of keys."""
    groups: dict[str, list[tuple[Key, str]]] = defaultdict(list)
    for key, label, text in items:
        groups[_SPACE.sub("", text)].append((key, label))
    texts = list(groups)
    sets = [shingles(t) for t in texts]
    index: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for h in sorted(hash(g) for g in s)[:_K]:
            index[h].append(i)
    neighbours: list[set[int]] = [{i} for i in range(len(texts))]
    for ids in index.values():
        for i, j in combinations(sorted(set(ids)), 2):
            if j in neighbours[i]:
                continue
            a, b = sets[i], sets[j]
            if min(len(a), len(b)) >= THRESHOLD * max(len(a), len(b)) and jaccard(a, b) >= THRESHOLD:
                neighbours[i].add(j)
                neighbours[j].add(i)
    files = [frozenset(k[0] for k, _ in groups[t]) for t in texts]
    reach = [frozenset().union(*(files[j] for j in n)) for n in neighbours]
    by_key: dict[Key, list[int]] = defaultdict(list)
    for i, t in enumerate(texts):
        for key, _ in groups[t]:
            by_key[key].append(i)
    unions: dict[frozenset[int], frozenset[int]] = {}
    out: dict[Key, tuple[frozenset[int], list[str]]] = {}
    for key, ids in by_key.items():
        hit = frozenset(i for i in ids if len(reach[i] - {key[0]}) > 0)
        if not hit:
            continue
        if hit not in unions:
            unions[hit] = frozenset().union(*(reach[i] for i in hit))
        labels = sorted({label for i in hit for k, label in groups[texts[i]] if k == key})
        out[key] = (unions[hit], labels)
    return out
