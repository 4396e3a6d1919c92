"""The 自评报告 narrative: figures from the tables, wording from editable Jinja2 templates, woven with the
user's own paragraphs so that no fact is said twice in a section (weave.py)."""
