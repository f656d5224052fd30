"""Issue 16: `show` lists each reply's attachments with their own WDTK links."""

from __future__ import annotations

from tests.support import released_project, sent_request
from tests.wdtk_replica import event


def test_show_links_each_attachment_to_its_download(project, replica):
    wdtk = released_project(project, replica)
    sent_request(wdtk, replica, 5001, "smm-1")
    wdtk.run("poll", "--as-of", "2026-03-02T12:00")
    reply = event(
        None, "response", "2026-03-20T09:00:00+00:00",
        text="Please see the attached.", attachments=["FOI 123 response.pdf", "Annex A.xlsx"],
    )  # fmt: skip
    replica.add_event(5001, reply)
    wdtk.run("poll", "--all", "--as-of", "2026-03-20T12:00")
    (message,) = [m for m in wdtk.json("show", "smm-1")["correspondence"] if m["direction"] == "incoming"]
    assert message["attachments"].splitlines() == ["FOI 123 response.pdf", "Annex A.xlsx"]
    links = message["attachment_links"].splitlines()
    incoming = reply["incoming_message_id"]
    # The replica numbers attachments from 2, as Alaveteli does (part 1 is the body).
    # Its hrefs carry raw spaces; a link is stored %-escaped (bot.wdtk.urls.escaped_path).
    assert links == [
        f"/request/x/response/{incoming}/attach/2/FOI%20123%20response.pdf",
        f"/request/x/response/{incoming}/attach/3/Annex%20A.xlsx",
    ]
    text = wdtk.run("show", "smm-1").stdout
    assert f"FOI 123 response.pdf  {replica.base_url}/request/x/response/{incoming}/attach/" in text
