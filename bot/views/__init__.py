"""What a shell shows, computed once for every shell: the status rows and their cells
(`status.py`) and one request as `show` gives it (`request.py`). The command line
(bot/cli/) and the web pages (bot/web/) both call these, so a page and `foibot status`
never disagree; each shell only formats the result."""
