"""Writing a VBA project (vbaProject.bin) from module source text: [MS-OVBA] inside [MS-CFB]."""

from perfeval.vba.ovba import VbaModule, build_vba_project, read_modules

__all__ = ["VbaModule", "build_vba_project", "read_modules"]
