"""Generate the field and rule references in docs/ from the catalogue and the registry.

python -m perfeval.reference
"""

from __future__ import annotations

from pathlib import Path

from perfeval import catalogue as cat
from perfeval.core.rules import REGISTRY

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def fields_markdown() -> str:
    lines = [
        "# 字段参考（自动生成，请勿手工修改：`python -m perfeval.reference`）",
        "",
        f"模板版本 {cat.TEMPLATE_VERSION}。每个单元格字段在工作簿中都有同名的工作簿级名称；可变列表是 Excel 表格。",
        "“计算”列为“是”的单元格由工具填写（复核值），其余由用户填写。",
        "",
        _md_row(["名称", "标签", "工作表", "单元格", "类型", "单位", "必填", "计算"]),
        _md_row(["---"] * 8),
    ]
    for f in cat.fields().values():
        lines.append(
            _md_row(
                [
                    f"`{f.name}`",
                    f.label,
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
            f"## 表格 `{spec.name}`：{spec.label}（{spec.sheet}，表头在第 {place.header_row} 行）",
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
        _md_row(["编号", "类别", "严重程度", "规则", "说明"]),
        _md_row(["---"] * 5),
    ]
    for rule_id, r in sorted(REGISTRY.items()):
        lines.append(_md_row([rule_id, r.category, r.severity.value, r.title, r.description]))
    return "\n".join(lines) + "\n"


def write_all(target: Path = DOCS) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in (("fields.md", fields_markdown()), ("rules.md", rules_markdown())):
        path = target / name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out


if __name__ == "__main__":
    for p in write_all():
        print(f"已生成 {p}")
