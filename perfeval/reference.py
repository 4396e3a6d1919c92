"""Generate the field and rule references in docs/ from the catalogue and the registry.

python -m perfeval.reference
"""

from __future__ import annotations

import re
from pathlib import Path

from perfeval import catalogue as cat
from perfeval.core.profile import shipped_profiles
from perfeval.core.rules import REGISTRY

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def fields_markdown() -> str:
    lines = [
        "# 字段参考（自动生成，请勿手工修改：`python -m perfeval.reference`）",
        "",
        f"模板版本 {cat.TEMPLATE_VERSION}（第 1 版工作簿仍可读取）。每个单元格字段在工作簿中都有同名的工作簿级名称；"
        "可变列表是 Excel 表格，按表头读取。“计算”列为“是”的单元格由工具填写（复核值），其余由用户填写。",
        "",
        "“表”列说明字段属于哪类表：部门整体（附件1、附件2 和报告文字）、项目支出（项目支出绩效自评表），"
        "通用字段每类工作簿都有。`perfeval new --kind 项目` 生成的工作簿只有通用字段和项目支出表，"
        "`--kind 整体` 只有通用字段和部门整体表。金额单位随评分口径（重庆口径为元），模型内部一律按万元计算。",
        "",
        _md_row(["名称", "标签", "表", "工作表", "单元格", "类型", "单位", "必填", "计算"]),
        _md_row(["---"] * 9),
    ]
    for f in cat.fields().values():
        lines.append(
            _md_row(
                [
                    f"`{f.name}`",
                    f.label,
                    cat.FORM_SHORT[f.form],
                    f.sheet,
                    f.cell,
                    f.type.value,
                    f.unit,
                    "是" if f.required else "",
                    "是" if f.computed else "",
                ]
            )
        )
    for spec in cat.TABLES.values():
        place = cat.table_placement(spec)
        lines += [
            "",
            f"## 表格 `{spec.name}`：{spec.label}（{cat.FORM_SHORT[spec.form]}；{spec.sheet}，"
            f"表头在第 {place.header_row} 行）",
            "",
        ]
        if any(c.optional for c in spec.columns):
            lines += [
                "列号为“（可选）”的栏目只在评分口径要求时出现在模板中（如重庆口径的得分系数、核心指标），"
                "有这一表头时才读取。",
                "",
            ]
        lines += [_md_row(["列", "表头", "列号", "类型", "单位", "必填", "计算"]), _md_row(["---"] * 7)]
        for col in spec.columns:
            lines.append(
                _md_row(
                    [
                        f"`{col.key}`",
                        col.header,
                        place.letters.get(col.key, "（可选）"),
                        col.type.value,
                        col.unit,
                        "是" if col.required else "",
                        "是" if col.computed else "",
                    ]
                )
            )
    return "\n".join(lines) + "\n"


def rules_markdown() -> str:
    lines = [
        "# 校验规则参考（自动生成，请勿手工修改：`python -m perfeval.reference`）",
        "",
        f"共 {len(REGISTRY)} 条。严重程度：错误（必须修改后报送）、警告（修改或写明审核说明）、提示（供参考）。",
        "评分口径文件可关闭规则或调整严重程度。",
        "",
        "“适用”列：只检查所填的表。只填了项目支出表的工作簿不运行部门整体的规则（反之亦然）；"
        "“部门整体、项目支出”的规则在两类表都填了时核对它们之间的一致；“各类”的规则对任何工作簿都运行。",
        "",
        _md_row(["编号", "类别", "适用", "严重程度", "规则", "说明"]),
        _md_row(["---"] * 6),
    ]
    for rule_id, r in sorted(REGISTRY.items()):
        lines.append(
            _md_row([rule_id, r.category, cat.forms_text(r.forms), r.severity.value, r.title, r.description])
        )
    return "\n".join(lines) + "\n"


def profiles_markdown() -> str:
    lines = [
        "# 评分口径（自动生成，请勿手工修改：`python -m perfeval.reference`）",
        "",
        "评分口径是一个 TOML 数据文件：各级分值、等级分界、容差、定性等次区间，以及表式（包含哪些表、金额单位、"
        "可选栏目、表上用语）。`perfeval profiles` 列出内置口径；`perfeval new 文件.xlsx --profile 重庆` 按口径的表式"
        "生成模板，工作簿的“基本信息”表记下所用口径，`perfeval check` 自动按它校验（也可用 `--profile` 指定）。"
        "自定义口径：复制 `perfeval/profiles/default.toml`，修改后用 `--profile 文件.toml`。",
        "",
        _md_row(["口径", "名称", "包含的表", "金额单位", "部门整体分值", "项目支出分值", "可选栏目", "说明"]),
        _md_row(["---"] * 8),
    ]
    for p in shipped_profiles():
        weights = "、".join(f"{label} {w[key]}" for key, label in _LEVELS for w in (p.weights,))
        project = "、".join(f"{label} {p.project_weights[key]}" for key, label in _LEVELS)
        lines.append(
            _md_row(
                [
                    f"`{p.id}`",
                    p.name,
                    cat.forms_text(p.forms),
                    p.amount_unit,
                    weights if cat.Form.UNIT in p.forms else "—",
                    project if cat.Form.PROJECT in p.forms else "—",
                    "、".join(_OPTIONAL[c] for c in sorted(p.columns)) or "—",
                    p.description,
                ]
            )
        )
    return "\n".join(lines) + "\n"


_LEVELS = (("execution", "执行率"), ("output", "产出"), ("benefit", "效益"), ("satisfaction", "满意度"))
_OPTIONAL = {c.key: c.header for c in cat.INDICATOR_COLUMNS if c.optional}


README = DOCS.parent / "README.md"
# The README's one sentence that counts the rules: its number is the registry's.
RULE_COUNT = re.compile(r"按 \d+ 条校验规则")


def readme_with_rule_count(text: str) -> str:
    """The README's text with the rule count the registry has."""
    return RULE_COUNT.sub(f"按 {len(REGISTRY)} 条校验规则", text, count=1)


def write_all(target: Path = DOCS) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    out = []
    if target == DOCS and README.exists():
        text = README.read_text(encoding="utf-8")
        if (counted := readme_with_rule_count(text)) != text:
            README.write_text(counted, encoding="utf-8")
            out.append(README)
    for name, text in (
        ("fields.md", fields_markdown()),
        ("rules.md", rules_markdown()),
        ("profiles.md", profiles_markdown()),
    ):
        path = target / name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


if __name__ == "__main__":
    for p in write_all():
        print(f"已生成 {p}")
