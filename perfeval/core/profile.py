"""Profiles: the scoring rules of a province or year, read from a TOML data file a bureau can edit."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from perfeval.core.findings import Severity


class ProfileError(Exception):
    """A profile file that cannot be used; str() is a Chinese message."""


@dataclass(frozen=True)
class Profile:
    name: str
    form: str
    weights: dict[str, Decimal]
    over_achievement: Decimal
    amount_tolerance: Decimal
    score_tolerance: Decimal
    rate_tolerance: Decimal
    budget_adjustment_info: Decimal
    amount_in_yuan: Decimal
    score_places: int
    grades: tuple[tuple[str, Decimal], ...]  # (grade, lower bound) highest first
    bands: dict[str, tuple[Decimal, Decimal]]
    vague_words: tuple[str, ...]
    disabled: frozenset[str] = frozenset()
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    source: str = ""
    narrative_dir: str = ""  # a folder of report wording templates overriding the bundled ones

    def __post_init__(self) -> None:
        total = sum(self.weights.values())
        if total != 100:
            raise ProfileError(f"评分口径“{self.name}”的各级分值合计为 {total}，应为 100。")
        if self.over_achievement <= 1:
            raise ProfileError("thresholds.over_achievement 应大于 1（如 1.30 表示 130%）。")

    def grade(self, total: Decimal) -> str:
        for name, lower in self.grades:
            if total >= lower:
                return name
        return self.grades[-1][0]

    def quantize(self, value: Decimal) -> Decimal:
        from perfeval.core.decimals import round_half_up

        return round_half_up(value, self.score_places)


LEVEL_KEYS = {"产出指标": "output", "效益指标": "benefit", "满意度指标": "satisfaction"}


def _dec(data: dict, key: str, where: str) -> Decimal:
    try:
        return Decimal(str(data[key]))
    except KeyError:
        raise ProfileError(f"评分口径文件缺少 {where}.{key}。") from None
    except ArithmeticError:
        raise ProfileError(f"评分口径文件中 {where}.{key} 不是数字。") from None


def _narrative_dir(data: dict, source: str) -> str:
    """[narrative] templates, relative to the profile file's folder; it must exist."""
    folder = data.get("narrative", {}).get("templates")
    if not folder:
        return ""
    path = Path(folder)
    if not path.is_absolute() and source and Path(source).exists():
        path = Path(source).resolve().parent / path
    if not path.is_dir():
        raise ProfileError(f"评分口径文件中 narrative.templates 指向的文件夹不存在：{path}")
    return str(path)


def parse_profile(data: dict, source: str = "") -> Profile:
    try:
        weights = {
            k: _dec(data["weights"], k, "weights") for k in ("execution", "output", "benefit", "satisfaction")
        }
        th = data["thresholds"]
        grades = sorted(((str(k), Decimal(str(v))) for k, v in data["grades"].items()), key=lambda g: -g[1])
        bands = {
            str(k): (Decimal(str(v[0])), Decimal(str(v[1]))) for k, v in data["qualitative_bands"].items()
        }
        rules = data.get("rules", {})
        overrides = {}
        for rule_id, sev in rules.get("severity", {}).items():
            try:
                overrides[rule_id] = Severity(sev)
            except ValueError:
                raise ProfileError(
                    f"规则 {rule_id} 的严重程度“{sev}”无效，应为 错误、警告 或 提示。"
                ) from None
        return Profile(
            name=str(data.get("name", "自定义口径")),
            form=str(data.get("form", "hunan")),
            weights=weights,
            over_achievement=_dec(th, "over_achievement", "thresholds"),
            amount_tolerance=_dec(th, "amount_tolerance", "thresholds"),
            score_tolerance=_dec(th, "score_tolerance", "thresholds"),
            rate_tolerance=_dec(th, "rate_tolerance", "thresholds"),
            budget_adjustment_info=_dec(th, "budget_adjustment_info", "thresholds"),
            amount_in_yuan=_dec(th, "amount_in_yuan", "thresholds"),
            score_places=int(data.get("rounding", {}).get("score_places", 2)),
            grades=tuple(grades),
            bands=bands,
            vague_words=tuple(data.get("vague_actuals", {}).get("words", ())),
            disabled=frozenset(rules.get("disabled", ())),
            severity_overrides=overrides,
            source=source,
            narrative_dir=_narrative_dir(data, source),
        )
    except KeyError as e:
        raise ProfileError(f"评分口径文件缺少“{e.args[0]}”部分，请以默认口径文件为底稿修改。") from None


def default_profile() -> Profile:
    text = resources.files("perfeval.profiles").joinpath("default.toml").read_text(encoding="utf-8")
    return parse_profile(tomllib.loads(text), "默认")


def load_profile(path: Path | None) -> Profile:
    if path is None:
        return default_profile()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"找不到评分口径文件：{path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ProfileError(f"评分口径文件 {path} 格式有误：{e}") from None
    return parse_profile(data, str(path))
