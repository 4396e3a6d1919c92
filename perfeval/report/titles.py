"""The titles of the official attachment tables, apart from their layout (report/official.py).

The 自评报告's 附件 list names the tables on every check, while the tables themselves are built only for
导出报送: a check click imports this small module, not the layout.
"""

from __future__ import annotations

import re

from perfeval.catalogue import Form
from perfeval.core.model import Model, Project
from perfeval.core.pipeline import CheckResult

_REGION = re.compile(r"^(.{1,8}?[省市县区旗])")


def report_year(m: Model) -> int | None:
    value = m.num("info_year")
    return int(value) if value is not None else None


def _region(unit_name: str) -> str:
    """The county part of a unit name for the 附件2 title ("桃江县科学技术协会" -> "桃江县")."""
    match = _REGION.match(unit_name)
    return match.group(1) if match else unit_name


def _year_text(year: int | None) -> str:
    return f"{year}年度" if year else "年度"


def basic_data_title(m: Model) -> str:
    return f"{m.text('info_unit_name')}{_year_text(report_year(m))}部门整体支出绩效评价基础数据表"


def unit_assessment_title(m: Model) -> str:
    return f"{_region(m.text('info_unit_name'))}{_year_text(report_year(m))}部门整体支出绩效自评表"


def project_title(m: Model, project: Project) -> str:
    # The project's name in the title too: the report's attachment list must tell the tables apart.
    return f"{m.text('info_unit_name')}{_year_text(report_year(m))}项目支出绩效自评表（{project.name}）"


def table_titles(result: CheckResult) -> list[str]:
    """The titles of `official_tables(result)`, in order, without building the grids (the report's 附件 list)."""
    m = result.model
    unit = [basic_data_title(m), unit_assessment_title(m)] if Form.UNIT in m.forms else []
    projects = [project_title(m, p) for p in m.projects] if Form.PROJECT in m.forms else []
    return unit + projects
