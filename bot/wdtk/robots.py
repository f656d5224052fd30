"""robots.txt as RFC 9309 reads it: WDTK's rules use `*` wildcards that robotparser ignores."""

from __future__ import annotations

import re
from urllib.parse import unquote


class RobotsRules:
    """robots.txt read the way RFC 9309 (and Google) read it.

    urllib.robotparser parses the groups, but it matches rules as plain prefixes, so
    WDTK's wildcard rules (`*/feed/*`, `*/request/*/response/*`) would never match. Here
    `*` and a final `$` work, and the longest matching rule wins, Allow on a tie.
    """

    def __init__(self, text: str, agent: str):
        # Imported here: it pulls in urllib.request, http.client and ssl, which `status`
        # (a reader of this module's dataclasses) never needs.
        from urllib import robotparser

        parser = robotparser.RobotFileParser()
        parser.parse(text.splitlines())
        entry = next((e for e in parser.entries if e.applies_to(agent)), parser.default_entry)
        self._rules: list[tuple[re.Pattern[str], int, bool]] = []
        for line in entry.rulelines if entry else []:
            rule = unquote(line.path)  # robotparser percent-quotes `*` and `$`
            self._rules.append((_rule_regex(rule), len(rule), line.allowance))

    def allowed(self, path: str) -> bool:
        target = unquote(path)
        best: tuple[int, bool] | None = None
        for regex, length, allow in self._rules:
            if regex.match(target) and (best is None or (length, allow) > best):
                best = (length, allow)
        return True if best is None else best[1]


def _rule_regex(rule: str) -> re.Pattern[str]:
    anchored = rule.endswith("$")
    body = rule[:-1] if anchored else rule
    pattern = "".join(".*" if c == "*" else re.escape(c) for c in body)
    return re.compile(pattern + (r"\Z" if anchored else ""), re.DOTALL)
