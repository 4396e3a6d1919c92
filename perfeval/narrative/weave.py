"""Weave the generated sentences with the user's paragraphs: no fact said twice in one section.

A template prints the tables' figures and the user's own paragraphs side by side; accountants restate
the same figures in their paragraphs ("县财政批复年初预算158.43万元"). Per section (the lines between two
headings) this module:

- reads the user's paragraphs with core/textclaims (the one extractor the checks use) and drops every
  generated clause whose figures they all state with the same value (a figure stated differently stays:
  the checks flag the difference); a sentence left with no figure is dropped, a clause that adds
  something (a rate, a share, a score) stays and the sentence follows the user's field it complements;
- drops a user paragraph whose every item another field's paragraph of the section already holds
  ("内设机构：办公室、学会部" after "内设股室2个，分别为办公室和学会部"; a goal typed twice);
- turns a field that repeats, whole, a field of an earlier chapter (a project's goals copied from the
  unit's) into a pointer: "年度总体目标：见“一、部门概况（三）绩效目标设立情况”。".

The templates mark what this needs with invisible characters that never reach the report: each Figure
printed carries its claim kinds and value (render.py's Environment.finalize), ``said(text)`` marks a name
the user may have written, ``topic(text)`` the words a later clause needs when the clause holding them is
dropped, and a user paragraph carries its field and its label ("内设机构：", not the user's words).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from perfeval.core.decimals import round_half_up
from perfeval.core.textclaims import extract_claims, extract_named_amounts

FACT, FACT_TEXT, FACT_END = "\ue000", "\ue001", "\ue002"
TOPIC, TOPIC_END = "\ue003", "\ue004"
LABEL, LABEL_END = "\ue005", "\ue006"
SOURCE, SOURCE_END = "\ue007", "\ue008"
MARKS = frozenset(FACT + FACT_TEXT + FACT_END + TOPIC + TOPIC_END + LABEL + LABEL_END + SOURCE + SOURCE_END)
SAID = "said:"  # a fact key for a name: covered when the user's text contains it
_MARK_CHARS = re.compile(f"[{FACT}-{SOURCE_END}]")  # the markers are consecutive code points


def _safe(text: str) -> str:
    """A cell's text inside a marker: without the marker characters (a name could hold one)."""
    return _MARK_CHARS.sub("", str(text))


def _kind(kind: str) -> str:
    """A claim kind as a marker holds it ("named:<line name>" may hold anything a cell can)."""
    return _safe(kind).replace("|", "")


def fact(keys: tuple[str, ...], value: Decimal | None, text: str) -> str:
    """A figure as printed, marked with what the user must have stated for it to be said already."""
    stated = keys and value is not None and value.is_finite()
    key = "|".join(_kind(k) for k in keys) + f"={value}" if stated else ""
    return f"{FACT}{key}{FACT_TEXT}{_safe(text)}{FACT_END}"


def said(text: str) -> str:
    """A name (the unit, its type) that is said already when the user's paragraph contains it."""
    return fact((SAID,), Decimal(0), text) if text else ""


def topic(text: str) -> str:
    """Words a later clause needs when the clause holding them is left out ("公用经费" in "公用经费本年预算
    16.25万元，本年决算18.47万元"). Its scope is its "；" group, the sentence when it ends in "："."""
    return f"{TOPIC}{_safe(text)}{TOPIC_END}" if text else ""


def label(text: str) -> str:
    """A user paragraph's label ("内设机构："): printed, not read as the user's words."""
    return f"{LABEL}{_safe(text)}{LABEL_END}" if text else ""


def source(name: str) -> str:
    """Which field a user line came from (never printed)."""
    return f"{SOURCE}{_safe(name)}{SOURCE_END}"


def source_of(text: str) -> str:
    m = re.search(f"{SOURCE}([^{SOURCE_END}]*){SOURCE_END}", text)
    return m.group(1) if m else ""


_HIDDEN = re.compile(f"{FACT}[^{FACT_TEXT}]*{FACT_TEXT}|{SOURCE}[^{SOURCE_END}]*{SOURCE_END}")
_LABELS = re.compile(f"{LABEL}[^{LABEL_END}]*{LABEL_END}")


def unmark(text: str) -> str:
    """Text from a cell, without the characters the markers use (never typed, but a cell could hold one)."""
    return _MARK_CHARS.sub("", text)


def plain(text: str) -> str:
    """The text as printed: markers removed, marked texts kept."""
    if not any(ch in text for ch in (FACT, TOPIC, LABEL, SOURCE)):
        return text
    return unmark(_HIDDEN.sub("", text))


def _without_labels(text: str) -> str:
    return plain(_LABELS.sub("", text))


@dataclass
class Line:
    # "generated", "user", "heading" (a section starts), "warning" (the 【待核对】 after user text), "pointer"
    # (a user field said in an earlier chapter: "见“…”")
    kind: str
    text: str
    keep: bool = True
    project: bool = False  # a project's own text: its "全年执行46万元" is the project's, not the unit's
    source: str = ""  # which field a user line came from: one field's paragraphs never repeat each other
    style: str = "body"  # the paragraph's style in the report (render.MARKS)
    _own: tuple[str, list[str]] | None = field(default=None, repr=False)  # user lines: (words, items)


# --------------------------------------------------------------------------- what the user stated


def _cents(value: Decimal) -> Decimal:
    return round_half_up(value, 2)


class Stated:
    """What a section's user paragraphs state: (claim kind, value) pairs and the text itself."""

    def __init__(self, paragraphs: list[str], names: list[str], project: bool = False) -> None:
        texts = {str(i): p for i, p in enumerate(paragraphs)}
        # (kind, value) -> the paragraphs (indices) that state it
        self.pairs: dict[tuple[str, Decimal], set[int]] = {}
        for c in extract_claims(texts):
            if c.value is not None and not c.approx:
                kind = f"project:{c.kind}" if project else c.kind
                self.pairs.setdefault((kind, _cents(c.value)), set()).add(int(c.source))
        if names:
            for i, c in extract_named_amounts(texts, names):
                if c.value is not None and not c.approx:
                    key = (_kind(f"named:{names[i]}"), _cents(c.value))
                    self.pairs.setdefault(key, set()).add(int(c.source))
        self.texts = [_norm(p) for p in paragraphs]

    def covers(self, key: str) -> set[int]:
        """The paragraphs that state this fact key with its value (empty: not stated)."""
        if not key:
            return set()  # a figure no sentence of the user's is read as (a rate, a score), or a gap
        kinds, _, value = key.rpartition("=")
        return set().union(*(self.pairs.get((k, _cents(Decimal(value))), set()) for k in kinds.split("|")))

    def contains(self, name: str) -> set[int]:
        n = _norm(name)
        return {i for i, t in enumerate(self.texts) if n and n in t}


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# --------------------------------------------------------------------------- generated sentences

_OPEN, _CLOSE = "【“（(《", "】”）)》"
_STRENGTH = {"": 0, "，": 1, "；": 2, "。": 3}


@dataclass
class _Clause:
    text: str  # with markers
    sep: str  # the separator after it: "，", "；", "。" or "" (end of line)
    facts: list[str]  # fact keys ("" for a figure that cannot be covered)
    names: list[str]  # said() names
    topic: str  # the topic text it holds, or ""


def _clauses(line: str) -> list[_Clause]:
    out: list[_Clause] = []
    depth, start, in_mark = 0, 0, False
    for i, ch in enumerate(line):
        if ch in (FACT, TOPIC, LABEL):
            in_mark = True
        elif ch in (FACT_END, TOPIC_END, LABEL_END):
            in_mark = False
        elif in_mark:
            continue
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in "，；。":
            out.append(_clause(line[start:i], ch))
            start = i + 1
    if start < len(line):
        out.append(_clause(line[start:], ""))
    return out


_FACT_RE = re.compile(f"{FACT}([^{FACT_TEXT}]*){FACT_TEXT}([^{FACT_END}]*){FACT_END}")
_TOPIC_RE = re.compile(f"{TOPIC}([^{TOPIC_END}]*){TOPIC_END}")


def _clause(text: str, sep: str) -> _Clause:
    facts, names = [], []
    for m in _FACT_RE.finditer(text):
        if m.group(1).startswith(SAID):
            names.append(m.group(2))
        else:
            facts.append(m.group(1))
    t = _TOPIC_RE.search(text)
    return _Clause(text, sep, facts, names, t.group(1) if t else "")


def weave_sentence_line(line: str, stated: Stated) -> str:
    """A generated line with the clauses the user already stated left out ("" when nothing is left)."""
    return _weave_line(line, stated)[0]


def _weave_line(line: str, stated: Stated) -> tuple[str, set[int]]:
    """The line woven, and the user paragraphs (indices) that said what was left out."""
    sentences: list[list[_Clause]] = [[]]
    for c in _clauses(line):
        sentences[-1].append(c)
        if c.sep == "。":
            sentences.append([])
    used: set[int] = set()
    return "".join(_weave_sentence(s, stated, used) for s in sentences if s), used


def _weave_sentence(clauses: list[_Clause], stated: Stated, used: set[int]) -> str:
    def covering(c: _Clause) -> set[int] | None:
        """For each of the clause's facts the first paragraph stating it; None when one is not stated."""
        found: set[int] = set()
        for where in [stated.covers(k) for k in c.facts] + [stated.contains(n) for n in c.names]:
            if not where:
                return None
            found.add(min(where))  # where the fact is first said
        return found

    has_facts = [bool(c.facts or c.names) for c in clauses]
    keep = []
    for c, f in zip(clauses, has_facts, strict=True):
        where = covering(c) if f else None
        keep.append(where is None)
        used |= where or set()
    if any(has_facts) and not any(k and f for k, f in zip(keep, has_facts, strict=True)):
        return ""  # every figure of the sentence is the user's: the sentence adds nothing
    parts: list[str] = []
    pending = ""  # a dropped clause's topic, waiting for the next clause kept
    pending_colon = False  # "“三公”经费：" governs the whole sentence, "公用经费" its "；" group only
    sep = ""  # between two clauses kept: the strongest separator of the clauses dropped between them
    for c, k in zip(clauses, keep, strict=True):
        if k:
            text = plain(c.text)
            if pending and not c.topic and not _overlaps(pending, text):
                text = pending + text
            pending = ""
            parts.append((sep if parts else "") + text)
            sep = c.sep
        else:
            if c.topic:
                pending, pending_colon = plain(c.topic), plain(c.topic).endswith(("：", ":"))
            if _STRENGTH.get(c.sep, 0) > _STRENGTH.get(sep, 0):
                sep = c.sep
        if c.sep == "；" and not pending_colon:
            pending = ""
    # The sentence ends as it did, whichever clause held its end.
    return "".join(parts) + clauses[-1].sep if parts else ""


def _overlaps(topic: str, text: str) -> bool:
    """The clause starts with the topic's last word ("全年预算" before "预算调整率"): not prepended."""
    return any(text.startswith(topic[-n:]) for n in range(2, len(topic) + 1))


# --------------------------------------------------------------------------- the user's paragraphs

_ITEM_SPLIT = re.compile(r"[，,；;。、：:！!？?\s]+|(?<=[\u4e00-\u9fff])[和及与](?=[\u4e00-\u9fff])")
_ENUM = re.compile(
    r"^(?:[（(]?[0-9一二三四五六七八九十]+[)）.．、]|[一二三四五六七八九十]+是|第[一二三四五六七八九十]+)"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _items(text: str) -> list[str]:
    """The listed things of a paragraph: split at punctuation and 和/及/与, numbering removed."""
    out = []
    for part in _ITEM_SPLIT.split(_norm(text)):
        item = _ENUM.sub("", part)
        if len(_CJK.findall(item)) >= 2:
            out.append(item)
    return out


def _repeats(items: list[str], q: str) -> bool:
    """Every item of a paragraph is in q (normalised): the paragraph says nothing q does not."""
    return bool(items) and all(i in q for i in items)


# --------------------------------------------------------------------------- a whole report

_MIN_REPEAT = 4  # CJK characters: a shorter line ("1、项目") is a heading of the user's, not a statement


def weave(lines: list[Line], names: list[str]) -> list[Line]:
    """The lines in report order, with (keep=False) the generated clauses and user paragraphs that repeat
    a fact of their section; a project's text that repeats the unit's, in an earlier chapter, becomes a
    pointer to it. A generated sentence that lost figures to the user's paragraph follows that paragraph:
    what is left (rates, shares) reads as its complement."""
    sections: list[tuple[str, list[Line]]] = []
    heads: list[Line | None] = [None]
    title, heading1 = "", ""
    current: list[Line] = []
    for line in [*lines, Line("heading", "")]:
        if line.kind == "heading":
            sections.append((title, current))
            heads.append(line)
            text = plain(line.text)
            heading1 = text if _is_heading1(text) else heading1
            title = text if heading1 == text else heading1 + text
            current = []
        else:
            current.append(line)
    for _, section in sections:
        _repeated_in_section(section)
    _repeated_earlier(sections)
    out: list[Line] = []
    for head, (_, section) in zip(heads, sections, strict=False):
        if head is not None:
            out.append(head)
        out.extend(_weave_section(section, names))
    return out


def _weave_section(section: list[Line], names: list[str]) -> list[Line]:
    _drop_warnings(section)
    users = [ln for ln in section if ln.kind == "user" and ln.keep]
    stated = Stated([content(ln) for ln in users], names, project=any(ln.project for ln in users))
    after: dict[int, list[Line]] = {}  # index in section of the line a moved sentence follows
    staying = []
    moving: list[Line] | None = None  # the generated lines that follow a moved one move with it
    for ln in section:
        if ln.kind != "generated":
            moving = None
        else:
            text, used = _weave_line(ln.text, stated)
            ln.text, ln.keep = text, bool(text.strip())
            if used and ln.keep and moving is None:
                moving = after.setdefault(_anchor(section, section.index(users[max(used)])), [])
            if moving is not None:
                moving.append(ln)
                continue
        staying.append(ln)
    out = []
    for i, ln in enumerate(section):
        if ln in staying:
            out.append(ln)
        out.extend(after.get(i, []))
    return out


def _anchor(section: list[Line], i: int) -> int:
    """Where a sentence that complements the user paragraph section[i] goes: after the field's last
    paragraph and its 【待核对】 line (a field's text, "1、… 2、… 3、…", is not cut in two)."""
    source = section[i].source
    while i + 1 < len(section) and (
        (section[i + 1].kind == "user" and section[i + 1].source == source)
        or section[i + 1].kind == "warning"
    ):
        i += 1
    return i


def _is_heading1(text: str) -> bool:
    return re.match(r"^[一二三四五六七八九十]+、", text) is not None


def content(line: Line) -> str:
    """A user line's own words, normalised: its label ("内设机构：") left out."""
    return _own(line)[0]


def _own(line: Line) -> tuple[str, list[str]]:
    if line._own is None:
        words = _norm(_without_labels(line.text))
        line._own = (words, _items(words))
    return line._own


def _says_something(line: Line) -> bool:
    return sum(len(_CJK.findall(i)) for i in _own(line)[1]) >= _MIN_REPEAT


def _repeated_in_section(section: list[Line]) -> None:
    """Drop a user paragraph another field's paragraph of the section already holds (longer, or the same
    and earlier): "内设机构：办公室、学会部" after "内设股室2个，分别为办公室和学会部"."""
    users = [ln for ln in section if ln.kind == "user"]
    for n, ln in enumerate(users):
        mine, items = _own(ln)
        if not _says_something(ln):
            continue
        for m, other in enumerate(users):
            if other is ln or not other.keep or _same_author(ln, other):
                continue
            theirs = content(other)
            if _repeats(items, theirs) and (len(theirs) > len(mine) or (m < n and theirs == mine)):
                ln.keep = False
                break


def _same_author(a: Line, b: Line) -> bool:
    """One field's paragraphs, or two fields of one project (its 预期目标 and 实际完成情况 may read alike
    and still say two things: what was planned, what was done)."""
    if a.source == b.source:
        return True
    return a.project and b.project and a.source.rpartition("/")[0] == b.source.rpartition("/")[0]


def _repeated_earlier(sections: list[tuple[str, list[Line]]]) -> None:
    """A field all of whose paragraphs an earlier section's user text holds (a project's goals copied from
    the unit's) is said once: "年度总体目标：见“一、部门概况（三）绩效目标设立情况”。"."""
    earlier: list[tuple[str, str, str]] = []  # (section title, source, normalised text)
    for title, section in sections:
        groups: dict[str, list[Line]] = {}
        for ln in section:
            if ln.kind == "user" and ln.keep:
                groups.setdefault(ln.source, []).append(ln)
        for source, group in groups.items():
            where = [
                t
                for t, src, text in earlier
                if src != source and all(_says_something(ln) and _repeats(_own(ln)[1], text) for ln in group)
            ]
            if where and where[0] != title:
                first = group[0]
                first.kind, first.text = "pointer", f"{_label_of(first)}见“{where[0]}”。"
                for ln in group[1:]:
                    ln.keep = False
        for source, group in groups.items():
            text = "".join(content(ln) for ln in group if ln.kind == "user")
            if text:
                earlier.append((title, source, text))


def _label_of(line: Line) -> str:
    m = re.search(f"{LABEL}([^{LABEL_END}]*){LABEL_END}", line.text)
    return m.group(1) if m else ""


def _drop_warnings(section: list[Line]) -> None:
    """A 【待核对】 line goes with the user paragraphs it follows."""
    run: list[Line] = []
    for ln in section:
        if ln.kind in ("user", "pointer"):
            run.append(ln)
            continue
        if ln.kind == "warning" and run and not any(u.keep and u.kind == "user" for u in run):
            ln.keep = False
        run = []
