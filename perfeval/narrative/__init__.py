"""The 自评报告 narrative: figures from the tables, wording from editable Jinja2 templates."""
