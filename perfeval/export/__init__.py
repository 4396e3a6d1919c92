"""The submission package: the clean workbook, the report, one PDF and a manifest."""
