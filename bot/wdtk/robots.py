"""robots.txt as RFC 9309 reads it: WDTK's rules use `*` wildcards that robotparser ignores."""

from __future__ import annotations

import re
from collections.abc import Callable
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
    """robots.txt kept between WDTK clients: the daemon's passes each make one, and so does
    every `run --once` from cron, so that a pass costs no robots.txt fetch of its own. RFC
    9309 §2.4 lets a crawler use what it fetched for up to 24 hours. Only a fetched file is
    kept, never a failure (an unreachable robots.txt is tried again). `load` and `save`
    keep it beyond one process (Store.robots_txt, Store.set_robots_txt)."""

    MAX_AGE_S = 24 * 3600.0

    def __init__(
        self,
        load: Callable[[str], tuple[float, str] | None] | None = None,
        save: Callable[[str, float, str], None] | None = None,
    ) -> None:
        self._load, self._save = load, save
        self._kept: dict[str, tuple[float, str, RobotsRules]] = {}

    def get(self, netloc: str, now: float, agent: str) -> RobotsRules | None:
        """The rules fetched from `netloc` less than MAX_AGE_S before `now` (Unix time)."""
        kept = self._kept.get(netloc)
        if kept is None and self._load is not None and (stored := self._load(netloc)):
            kept = (stored[0], stored[1], RobotsRules(stored[1], agent))
            self._kept[netloc] = kept
        return kept[2] if kept and 0 <= now - kept[0] < self.MAX_AGE_S else None

    def put(self, netloc: str, text: str, rules: RobotsRules, now: float) -> None:
        self._kept[netloc] = (now, text, rules)
        if self._save is not None:
            self._save(netloc, now, text)
