"""Test-wide settings: xlwings' remote engine (the Excel stand-in) needs its licence key before import."""

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
