"""Excel side: the xlwings adapter, the ribbon entry point and the add-in build."""
