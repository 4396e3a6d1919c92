"""The web adapter: a page served by perfeval for users without Excel or Python (WPS, Mac, a bureau's
intranet). Beside the CLI and the Excel ribbon it is a third front door to the same file jobs
(perfeval.service); it checks nothing itself. Web libraries are imported only inside this package."""
