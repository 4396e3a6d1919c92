"""Profiles: the scoring rules of a province or year, read from a TOML data file a bureau can edit."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path

from perfeval import catalogue as cat
from perfeval.catalogue import Form
from perfeval.core.findings import Severity


class ProfileError(Exception):
    """A profile file that cannot be used; str() is a Chinese message."""


_ECOLOGY_WORDS = (
    "生态", "环境", "环保", "绿色", "节能", "节约", "减排", "排放", "污染", "低碳", "碳", "水", "空气", "大气",
    "土壤", "森林", "林", "绿化", "植", "垃圾", "废", "能耗", "能源", "资源", "自然", "河", "湖", "湿地", "农药",
    "化肥", "秸秆", "野生", "生物", "美丽", "卫生", "无纸化", "用纸", "噪", "扬尘", "人居", "地质", "耕地", "粪",
)  # fmt: skip
_ECONOMY_WORDS = (
    "经济", "收入", "增收", "产值", "效益", "收益", "节约", "成本", "资金", "经费", "税", "投资", "利润", "销售",
    "价格", "产业", "创收", "增加值", "就业", "元",
)  # fmt: skip


@dataclass(frozen=True)
class Classification:
    """[classification]: the words WT-008 reads a 三级指标 by, to tell a misfiled indicator."""

    cost_words: tuple[str, ...] = ("成本", "费用", "经费", "资金", "支出", "单价", "造价")
    # About money but measuring something else: a rate, timeliness, compliance or procedure.
    not_cost_words: tuple[str, ...] = (
        "率", "及时", "进度", "按时", "时限", "合规", "规范", "审批", "审核", "制度", "管理", "监管",
        "公开", "安全", "效率", "到位",
    )  # fmt: skip
    satisfaction_words: tuple[str, ...] = ("满意度", "满意率")
    # 二级指标 -> words that show an indicator belongs there.
    belongs: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {"生态效益指标": _ECOLOGY_WORDS, "经济效益指标": _ECONOMY_WORDS}
    )
    # 二级指标 whose indicators must name one of its `belongs` words (none: the filing is doubtful).
    strict: tuple[str, ...] = ("生态效益指标",)
    # 二级指标 -> words that do not belong there (unless one of its `belongs` words is present too).
    excludes: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {"经济效益指标": ("安全", "事故", "满意", "生态", "环境", "效能", "作风")}
    )


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
    classification: Classification = field(default_factory=Classification)  # [classification]
    # --- [directions]: reading 正向/反向 when the 方向 cell is blank (real forms have no such column) --------
    ceiling_words: tuple[str, ...] = ()  # a 三级指标 naming one of these is a ceiling (反向): 成本, 投诉率 …
    full_rate_ceiling_words: tuple[str, ...] = ()  # ceilings only against a 100 % target: 控制率
    floor_words: tuple[str, ...] = ()  # these keep an indicator 正向 whatever else it names: 节约, 处理率 …
    # --- [rounding] method: how a score is cut to score_places ("half_up" or "truncate") ------------------
    rounding_method: str = "half_up"

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
        if self.rounding_method not in ROUNDING_METHODS:
            raise ProfileError(
                f"rounding.method 应为 half_up（四舍五入）或 truncate（截尾），现为“{self.rounding_method}”。"
            )

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

    def quantize(self, value: Decimal, places: int | None = None) -> Decimal:
        """`value` cut to `places` decimals (the score places by default) by the profile's rounding method."""
        return round_by(value, self.score_places if places is None else places, self.rounding_method)

    @property
    def rounding_name(self) -> str:
        """四舍五入 or 截尾, for messages."""
        return ROUNDING_METHODS[self.rounding_method]


ROUNDING_METHODS = {"half_up": "四舍五入", "truncate": "截尾"}


def round_by(value: Decimal, places: int, method: str = "half_up") -> Decimal:
    """`value` to `places` decimals, half up or truncated (toward zero), for any finite Decimal."""
    from perfeval.core.decimals import round_half_up

    if method != "truncate" or not value.is_finite():
        return round_half_up(value, places)
    step = Decimal(1).scaleb(-places)
    exact = round_half_up(value, places + 12)  # far below any place a score or rate is compared at
    cut = (abs(exact) // step) * step
    return round_half_up(cut if exact >= 0 else -cut, places)


# Defaults of [directions] for a profile file written before the table existed (the shipped files list them).
CEILING_WORDS = (
    "成本",
    "单价",
    "调整率",
    "结余率",
    "结转率",
    "变动率",
    "投诉",
    "差错",
    "事故",
    "超支",
    "违规",
    "违纪",
    "发生率",
    "失误",
)
FULL_RATE_CEILING_WORDS = ("控制率",)
FLOOR_WORDS = (
    "节约",
    "节省",
    "降低",
    "下降",
    "减少",
    "压减",
    "处理",
    "办结",
    "处置",
    "整改",
    "纠正",
    "查处",
    "结案",
    "回复",
    "满意",
)

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


def _word_list(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        raise ProfileError(f'评分口径文件中 {where} 应为词语列表，如 ["成本", "费用"]。')
    return tuple(w for w in value if w)


def _direction_words(data: dict, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A word list of [directions]; the built-in list when the file has none (written before the table)."""
    table = data.get("directions", {})
    return _word_list(table[key], f"directions.{key}") if key in table else default


def _classification(data: dict) -> Classification:
    """[classification]; a key left out keeps the built-in words (a profile written before it still works)."""
    table = data.get("classification", {})
    base = Classification()
    lists = {
        key: _word_list(table[key], f"classification.{key}") if key in table else getattr(base, key)
        for key in ("cost_words", "not_cost_words", "satisfaction_words", "strict")
    }
    maps = {
        key: {str(k): _word_list(v, f"classification.{key}.{k}") for k, v in table[key].items()}
        if key in table
        else getattr(base, key)
        for key in ("belongs", "excludes")
    }
    return Classification(**lists, **maps)


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
            ceiling_words=_direction_words(data, "ceiling_words", CEILING_WORDS),
            full_rate_ceiling_words=_direction_words(
                data, "full_rate_ceiling_words", FULL_RATE_CEILING_WORDS
            ),
            floor_words=_direction_words(data, "floor_words", FLOOR_WORDS),
            rounding_method=str(data.get("rounding", {}).get("method", "half_up")),
            id=str(data.get("id", "")),
            description=str(data.get("description", "")),
            forms=forms,
            project_weights=project_weights,
            amount_unit=str(form.get("amount_unit", "万元")),
            columns=frozenset(form.get("columns", ())),
            labels={str(k): str(v) for k, v in form.get("labels", {}).items()},
            grade_on_form=bool(form.get("grade", True)),
            classification=_classification(data),
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


@cache  # shipped files do not change while we run; a bureau's review asks once per workbook
def _shipped() -> tuple[Profile, ...]:
    stems = sorted(
        p.name.removesuffix(".toml")
        for p in resources.files("perfeval.profiles").iterdir()
        if p.name.endswith(".toml")
    )
    stems.sort(key=lambda s: s != "default")
    return tuple(parse_profile(tomllib.loads(_shipped_text(stem)), f"内置：{stem}") for stem in stems)


def shipped_profiles() -> list[Profile]:
    """The profiles that come with perfeval, default first."""
    return list(_shipped())


@cache
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
