"""Profiles: the scoring rules of a province or year, read from a TOML data file a bureau can edit."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.findings import Severity


class ProfileError(Exception):
    """A profile file that cannot be used; str() is a Chinese message."""


@dataclass(frozen=True)
class Profile:
    name: str
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
    # --- the form variant: what the printed forms of this province look like -----------------------------
    id: str = ""  # the file name of a shipped profile ("重庆部门整体")
    description: str = ""
    forms: frozenset[Form] = frozenset({Form.UNIT, Form.PROJECT})  # the forms it describes
    project_weights: dict[str, Decimal] = field(default_factory=dict)  # empty: the same as `weights`
    amount_unit: str = "万元"  # the unit the forms print amounts in (元 in 重庆)
    columns: frozenset[str] = frozenset()  # optional indicator columns the 部门整体 form prints
    labels: dict[str, str] = field(default_factory=dict)  # the form's own wording: template text -> label
    grade_on_form: bool = True  # the 部门整体 form asks for 等级

    def __post_init__(self) -> None:
        if not self.project_weights:
            object.__setattr__(self, "project_weights", dict(self.weights))
        for what, weights in (("部门整体", self.weights), ("项目", self.project_weights)):
            total = sum(weights.values())
            if total != 100:
                raise ProfileError(f"评分口径“{self.name}”的{what}各级分值合计为 {total}，应为 100。")
        if self.amount_unit not in cat.AMOUNT_UNITS:
            raise ProfileError(f"form.amount_unit 应为 万元 或 元，现为“{self.amount_unit}”。")
        unknown = self.columns - {c.key for c in cat.INDICATOR_COLUMNS if c.optional}
        if unknown:
            raise ProfileError(
                f"form.columns 中的“{'、'.join(sorted(unknown))}”不是可选栏目（可选：coefficient、core）。"
            )
        if self.over_achievement <= 1:
            raise ProfileError("thresholds.over_achievement 应大于 1（如 1.30 表示 130%）。")

    def weights_of(self, form: Form) -> dict[str, Decimal]:
        return self.project_weights if form is Form.PROJECT else self.weights

    def label(self, text: str) -> str:
        """A template text in this form's wording ("分值" is "执行率权重" in 重庆)."""
        return self.labels.get(text, text)

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
        form = data.get("form", {})
        if not isinstance(form, dict):  # profiles before version 2 had form = "hunan"
            form = {}
        forms = frozenset(
            f for kind in form.get("kinds", ("整体", "项目")) for f in cat.KINDS_OF_WORKBOOK.get(kind, ())
        )
        if not forms:
            raise ProfileError("form.kinds 应列出“整体”“项目”中的一项或两项。")
        project = data.get("project", {})
        project_weights = (
            {
                k: _dec(project["weights"], k, "project.weights")
                for k in ("execution", "output", "benefit", "satisfaction")
            }
            if "weights" in project
            else {}
        )
        return Profile(
            id=str(data.get("id", "")),
            description=str(data.get("description", "")),
            forms=forms,
            project_weights=project_weights,
            amount_unit=str(form.get("amount_unit", "万元")),
            columns=frozenset(form.get("columns", ())),
            labels={str(k): str(v) for k, v in form.get("labels", {}).items()},
            grade_on_form=bool(form.get("grade", True)),
            name=str(data.get("name", "自定义口径")),
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


def _shipped_text(stem: str) -> str:
    return resources.files("perfeval.profiles").joinpath(f"{stem}.toml").read_text(encoding="utf-8")


def shipped_profiles() -> list[Profile]:
    """The profiles that come with perfeval, default first."""
    stems = sorted(
        p.name.removesuffix(".toml")
        for p in resources.files("perfeval.profiles").iterdir()
        if p.name.endswith(".toml")
    )
    stems.sort(key=lambda s: s != "default")
    return [parse_profile(tomllib.loads(_shipped_text(stem)), f"内置：{stem}") for stem in stems]


def default_profile() -> Profile:
    return parse_profile(tomllib.loads(_shipped_text("default")), "默认")


def find_shipped(name: str) -> Profile | None:
    """A shipped profile by its id or its name (what a workbook's 评分口径 cell holds)."""
    wanted = name.strip()
    if not wanted:
        return None
    return next((p for p in shipped_profiles() if wanted in (p.id, p.name)), None)


def load_profile(path: Path | None) -> Profile:
    """A profile file, or a shipped profile named by its id (`--profile 重庆部门整体`)."""
    if path is None:
        return default_profile()
    if not Path(path).exists() and Path(path).suffix.lower() != ".toml":
        shipped = find_shipped(str(path))
        if shipped is not None:
            return shipped
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        shipped = find_shipped(Path(path).stem)
        if shipped is not None:
            return shipped
        names = "、".join(p.id for p in shipped_profiles())
        raise ProfileError(
            f"找不到评分口径文件：{path}。内置口径有：{names}（perfeval profiles 查看说明）。"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ProfileError(f"评分口径文件 {path} 格式有误：{e}") from None
    return parse_profile(data, str(path))
