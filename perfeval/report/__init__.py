"""The report: the narrative as paragraphs, the official attachment tables, and their Word/PDF renderings."""
