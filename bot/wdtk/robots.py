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


class RobotsCache:
    """robots.txt rules kept between the passes of one long-running process (the daemon,
    whose every pass makes a new WdtkClient), so that a pass costs no robots.txt fetch of
    its own. RFC 9309 §2.4 lets a crawler use what it fetched for up to 24 hours; only
    rules are kept, never a failure (an unreachable robots.txt is tried again)."""

    MAX_AGE_S = 24 * 3600.0

    def __init__(self) -> None:
        self._kept: dict[str, tuple[float, RobotsRules]] = {}

    def get(self, netloc: str, now: float) -> RobotsRules | None:
        """The rules fetched from `netloc` less than MAX_AGE_S before `now` (monotonic)."""
        kept = self._kept.get(netloc)
        return kept[1] if kept and now - kept[0] < self.MAX_AGE_S else None

    def put(self, netloc: str, rules: RobotsRules, now: float) -> None:
        self._kept[netloc] = (now, rules)
