"""The shortcuts textclaims takes for speed read exactly what the plain per-character reading reads."""

from __future__ import annotations

import unicodedata

from perfeval.core.textclaims import _MAYBE_CHANGED, _Text, extract_claims, repeated_counts


def plain(original: str) -> tuple[str, list[int]]:
    """The reading _Text's docstring promises: every character NFKC-normalised on its own, each normalised
    character keeping the index of the original character it came from."""
    parts, pos = [], []
    for i, ch in enumerate(original):
        n = unicodedata.normalize("NFKC", ch)
        parts.append(n)
        pos.extend([i] * len(n))
    return "".join(parts), pos


def test_characters_left_alone_are_stable_under_nfkc() -> None:
    # Every character of the plane the shortcut does not normalise (ASCII, CJK, 、。“”《》…) must be one
    # NFKC leaves as it is, or the shortcut would read differently.
    skipped = [
        chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF and not _MAYBE_CHANGED.match(chr(c))
    ]
    assert len(skipped) > 20_000  # the CJK block at least: the check covers what it should
    changed = [ch for ch in skipped if unicodedata.normalize("NFKC", ch) != ch]
    assert changed == []


TEXTS = (
    "桃江县科学技术协会属行政单位，共有编制人数6人，实有人数7人。",  # full-width comma: one for one
    "年初预算１５８．４３万元（含追加）；全年预算218.68万元。",  # full-width digits and brackets
    "面积500㎡…共3个①示范基地，项目资金约20万元左右",  # ㎡ and … become several characters
    "单位㍐五十，e\u0301 和 \u212b 以及\u3000全角空格",  # ㍐ becomes 元; a combining accent; Å sign
    "",
    "plain ASCII only, 12 people",
)


def test_text_view_is_the_plain_reading() -> None:
    for text in TEXTS:
        tx = _Text("info_overview", text)
        norm, pos = plain(text)
        assert tx.norm == norm, text
        assert list(tx._pos) == pos, text


def test_claims_point_into_the_original_text() -> None:
    # The shortcuts (a sentence without 编/在/元/预算 is not searched) must still find these claims.
    texts = {"info_overview": "".join(TEXTS), "info_budget_notes": TEXTS[1] + TEXTS[0]}
    found = extract_claims(texts)
    kinds = {c.kind for c in found}
    assert {"authorized_staff", "actual_staff", "initial_budget", "adjusted_budget"} <= kinds
    for c in found:
        assert texts[c.source][c.start : c.start + len(c.snippet)] == c.snippet
    conflicts = repeated_counts({"a": "共培育示范户10个。", "b": "全县示范户共14个。"})
    assert [sorted(int(c.value) for c in k.claims) for k in conflicts] == [[10, 14]]
