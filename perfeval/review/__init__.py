"""perfeval review: the finance bureau's batch review of a folder or zip of workbooks.

collect (find the workbooks) -> run (check them in a process pool, one small record per file) -> similar
(near-identical narratives across units) -> table (pandas DataFrames) -> workbook (the summary .xlsx).
pandas is imported only inside these modules: the Excel click path never loads it.
"""
