"""Rebuild addin/perfeval.xlam from macros/, addin/customUI14.xml and the pinned xlwings: python addin/build.py"""

from pathlib import Path

from perfeval.excel.addin_build import build_xlam

if __name__ == "__main__":
    out = build_xlam(Path(__file__).resolve().parent / "perfeval.xlam")
    print(f"已生成：{out}")
