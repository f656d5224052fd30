"""Issue 12: the launch sheet keeps a person who sends in one sitting within WDTK's pace.

Checked in headless Chromium: the sheet's own script runs on a copy of the real sheet
with a probe appended that clicks and reports what the buttons then say.
"""

from __future__ import annotations

import json
import re

from tests.report_support import dump_dom

PROBE = """
<script>
// Never navigate: the click's default (opening WDTK) is cancelled before the sheet sees it.
window.addEventListener("click", function (e) { e.preventDefault(); }, true);
(function () {
  %(setup)s
  window.foibotSheet.refresh();
  %(action)s
  var states = Array.prototype.map.call(document.querySelectorAll("a.send"), function (b) {
    return [b.dataset.ref, b.getAttribute("aria-disabled") || "",
            b.parentNode.querySelector(".when").textContent];
  });
  document.body.setAttribute("data-result", JSON.stringify(states));
})();
</script>
"""


def sheet_states(tmp_path, sheet, setup="", action="") -> list[list[str]]:
    page = tmp_path / f"probe-{len(list(tmp_path.glob('probe-*')))}.html"
    html = sheet.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", PROBE % {"setup": setup, "action": action} + "</body>"))
    dom = dump_dom(tmp_path, page)
    found = re.search(r'data-result="([^"]*)"', dom)
    assert found, dom[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"'))


def released_sheet(project):
    # Every link points at loopback: nothing in this test may reach the real WDTK.
    project.edit_config(
        'base_url = "https://www.whatdotheyknow.com"', 'base_url = "http://127.0.0.1:9"'
    )
    # In the past, so every send_after has passed by the browser's clock.
    project.edit_config("launch_at = 2026-12-01T09:00:00", "launch_at = 2026-03-02T09:00:00")
    project.run("draft", "social-media-misuse")
    project.run("launch", "social-media-misuse", "--as-of", "2026-03-02T09:00")
    project.run("launch", "social-media-misuse", "--as-of", "2026-03-02T09:30")
    return project.root / "state" / "launch-social-media-misuse.html"


def test_sheet_states_the_pace_in_words(project):
    sheet = released_sheet(project).read_text(encoding="utf-8")
    assert "1 request a minute, 2 requests in 8 minutes" in sheet
    assert "At most 3 requests wait to be sent" in sheet
    assert sheet.count('class="button send"') == 3


def test_only_the_first_unsent_button_is_open_and_a_click_locks_the_next(tmp_path, project):
    sheet = released_sheet(project)
    before = sheet_states(tmp_path, sheet, setup="localStorage.clear();")
    assert [s[0] for s in before] == ["smm-1", "smm-2", "smm-3"]
    # send_after lies in the past: the first is open now.
    assert before[0][1:] == ["", "send now"]
    assert [s[1:] for s in before[1:]] == [["true", "after the one above"]] * 2
    after = sheet_states(
        tmp_path, sheet, setup="localStorage.clear();",
        action='document.querySelector("a.send").click();',
    )  # fmt: skip
    assert after[0][2].startswith("opened at ")
    # One minute per request plus the one-minute margin: locked for two minutes.
    assert after[1][1] == "true" and after[1][2].startswith("wait until ")
    assert after[2][1:] == ["true", "after the one above"]


def test_the_page_remembers_clicks_and_unlocks_when_the_window_has_passed(tmp_path, project):
    sheet = released_sheet(project)
    key = "foibot-opened:social-media-misuse"
    three_minutes_ago = (
        f'localStorage.setItem("{key}", JSON.stringify({{"smm-1": Date.now() - 180000}}));'
    )
    states = sheet_states(tmp_path, sheet, setup=three_minutes_ago)
    assert states[0][2].startswith("opened at ")
    assert states[1][1:] == ["", "send now"]  # 3 minutes > 1 minute + 1 minute margin
    two_in_nine = (
        f'localStorage.setItem("{key}", JSON.stringify('
        '{"smm-1": Date.now() - 300000, "smm-2": Date.now() - 180000}));'
    )
    # Two sent within the last 9 minutes (2 in 8, widened): the third must wait.
    states = sheet_states(tmp_path, sheet, setup=two_in_nine)
    assert states[2][1] == "true" and states[2][2].startswith("wait until ")
