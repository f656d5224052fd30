"""The database schema, as an ordered list of small named migrations.

Never edit a migration that has shipped: add a new one. Names are what a researcher sees
when opening the file in Datasette, so they are plain words.
"""

import sqlite3

from sqlite_utils import Database, Migrations

migrations = Migrations("foibot")


@migrations()
def m001_bodies(db: Database) -> None:
    db["bodies"].create(
        {
            "url_name": str,
            "name": str,
            "short_name": str,
            "tags": str,  # space-separated, as in WDTK's CSV
            "law": str,  # foi, eir, foisa or eisr, derived from the tags
            "is_school": int,
            "requestable": int,
            "not_requestable_reason": str,
            "wdtk_id": int,
            "home_page": str,
            "source": str,  # config or csv
            "updated_at": str,
        },
        pk="url_name",
        not_null={"name"},
    )
    db["bodies"].create_index(["requestable"])


@migrations()
def m002_campaigns(db: Database) -> None:
    db["campaigns"].create(
        {
            "slug": str,
            "ref_prefix": str,
            "title_template": str,
            "letter_template": str,
            "launch_at": str,
            "created_at": str,
        },
        pk="slug",
    )
    db["campaigns"].create_index(["ref_prefix"], unique=True)


@migrations()
def m003_requests(db: Database) -> None:
    # One row per request, from first draft to final reply; tracked requests that foibot
    # did not draft live here too (campaign may be null).
    db["requests"].create(
        {
            "ref": str,
            "campaign": str,
            "body": str,
            "title": str,
            "letter": str,
            "law": str,
            "is_school": int,
            "status": str,
            "slot_at": str,  # planned release time (UTC ISO)
            "released_at": str,  # when the link was handed to a human
            "wdtk_id": int,
            "url_title": str,
            "sent_on": str,  # receipt date that starts the clock (Europe/London)
            "due": str,
            "very_overdue_after": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="ref",
        foreign_keys=[("campaign", "campaigns", "slug"), ("body", "bodies", "url_name")],
        not_null={"status"},
    )
    db.execute(
        "CREATE UNIQUE INDEX idx_requests_campaign_body ON requests (campaign, body) "
        "WHERE campaign IS NOT NULL"
    )
    db.execute(
        "CREATE UNIQUE INDEX idx_requests_wdtk_id ON requests (wdtk_id) WHERE wdtk_id IS NOT NULL"
    )
    db["requests"].create_index(["status"])
    db["requests"].create_index(["slot_at"])


@migrations()
def m004_events(db: Database) -> None:
    # The append-only history of every request: what foibot did and what WDTK reported.
    db["events"].create(
        {
            "id": int,
            "ref": str,
            "at": str,  # UTC ISO timestamp
            "kind": str,
            "wdtk_event_id": int,
            "detail": str,  # JSON
        },
        pk="id",
        foreign_keys=[("ref", "requests", "ref")],
        not_null={"ref", "at", "kind"},
    )
    db["events"].create_index(["ref", "id"])
    db.execute(
        "CREATE UNIQUE INDEX idx_events_wdtk_event ON events (ref, wdtk_event_id) "
        "WHERE wdtk_event_id IS NOT NULL"
    )
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
            "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
        )


@migrations()
def m005_tracking(db: Database) -> None:
    # What the last poll of WDTK said, and when to ask again.
    requests = db["requests"]
    for name, kind in [
        ("awaiting_description", int),  # a reply waits for the requester to classify it
        ("display_status", str),  # WDTK's prose, for display only
        ("wdtk_tags", str),
        ("wdtk_user", str),
        ("review_started_on", str),  # internal review requested (Europe/London date)
        ("wdtk_stated_due", str),  # the due date WDTK's own page shows, when we read it
        ("etag", str),
        ("last_polled_at", str),
        ("next_poll_at", str),
        ("poll_error", str),  # the last poll's error, cleared by a good poll
        ("poll_failures", int),
        ("gone_since", str),  # first 403/404; polling stops after a grace period
        ("holiday_data", str),  # which holiday data computed due / very_overdue_after
        ("reported_status", str),  # live status when we last told anyone: no news twice
    ]:
        requests.add_column(name, kind)
    requests.create_index(["next_poll_at"])


@migrations()
def m006_correspondence(db: Database) -> None:
    # Reply text and attachment names read from WDTK's request pages, full-text searchable.
    db["correspondence"].create(
        {
            "id": int,
            "ref": str,
            "direction": str,  # incoming or outgoing
            "sent_at": str,
            "text": str,
            "attachments": str,  # one name per line
            "fingerprint": str,  # so a re-read page adds nothing twice
            "fetched_at": str,
        },
        pk="id",
        foreign_keys=[("ref", "requests", "ref")],
    )
    db["correspondence"].create_index(["ref", "fingerprint"], unique=True)
    db["correspondence"].enable_fts(["text", "attachments"], create_triggers=True)


@migrations()
def m007_news(db: Database) -> None:
    # The notification outbox. Each piece of news has a unique key, so it is queued once
    # however often a run sees it, and sent_at marks it told.
    db["news"].create(
        {
            "id": int,
            "key": str,
            "kind": str,  # response, overdue, very_overdue, ready, followup, error
            "ref": str,
            "text": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        not_null={"key", "kind", "text", "created_at"},
    )
    db["news"].create_index(["key"], unique=True)
    db["news"].create_index(["sent_at"])


@migrations()
def m008_followups(db: Database) -> None:
    # Chasers, internal-review requests and regulator complaints: drafted, reviewed,
    # released (one per body per day) and seen sent. One per request, kind and cycle.
    db["followups"].create(
        {
            "ref": str,
            "request": str,
            "kind": str,  # chaser, nudge, internal-review, complaint
            "cycle": str,  # which round: a new clock or a new review starts a new cycle
            "body": str,
            "text": str,
            "status": str,  # draft, ready, sent
            "created_at": str,
            "released_at": str,
            "sent_at": str,
        },
        pk="ref",
        foreign_keys=[("request", "requests", "ref")],
        not_null={"request", "kind", "cycle", "status"},
    )
    db["followups"].create_index(["request", "kind", "cycle"], unique=True)
    db["followups"].create_index(["status"])


@migrations()
def m009_one_draft_per_body(db: Database) -> None:
    # One *draft* per body and campaign; requests tracked into a campaign (no letter of
    # ours) may go to a body the campaign also wrote to.
    db.execute("DROP INDEX idx_requests_campaign_body")
    db.execute(
        "CREATE UNIQUE INDEX idx_requests_campaign_body ON requests (campaign, body) "
        "WHERE campaign IS NOT NULL AND letter IS NOT NULL"
    )


@migrations()
def m010_followup_drafted_on(db: Database) -> None:
    # The (UK, --as-of aware) date a follow-up was drafted: the next chaser is spaced
    # from it, not merely from how late the request is.
    db["followups"].add_column("drafted_on", str)


@migrations()
def m011_lookup_indexes(db: Database) -> None:
    # A campaign's requests, and events of one kind (replies, recorded figures), are
    # read by every status and report; without these both scan the whole table.
    db["requests"].create_index(["campaign"], if_not_exists=True)
    db["events"].create_index(["kind", "ref", "at"], if_not_exists=True)


@migrations()
def m012_settings(db: Database) -> None:
    # Facts about this installation: its tag id, whether WDTK was last seen down.
    db["settings"].create({"key": str, "value": str}, pk="key", not_null={"value"})


@migrations()
def m013_news_deliveries(db: Database) -> None:
    # Delivery is per channel: e-mail failing must not mark news told by the webhook, and
    # a channel that failed is retried with back-off until it works.
    db["news_deliveries"].create(
        {
            "news_id": int,
            "channel": str,  # email or webhook
            "delivered_at": str,
            "attempts": int,
            "last_error": str,
            "next_try_at": str,
        },
        pk=("news_id", "channel"),
        foreign_keys=[("news_id", "news", "id")],
    )
    # News told before deliveries were kept per channel counts as told on every channel.
    for channel in ("email", "webhook"):
        db.execute(
            "INSERT INTO news_deliveries (news_id, channel, delivered_at, attempts) "
            "SELECT id, ?, sent_at, 1 FROM news WHERE sent_at IS NOT NULL",
            [channel],
        )


@migrations()
def m014_wdtk_created_at(db: Database) -> None:
    # When WDTK says a request was made: the real sends that pace the next releases.
    db["requests"].add_column("wdtk_created_at", str)
    db["requests"].add_column("send_after", str)  # when a human may send a released one
    db["requests"].create_index(["wdtk_user", "wdtk_created_at"])


@migrations()
def m015_clock_adjust(db: Database) -> None:
    # Extensions and fee pauses recorded with `foibot extend` (JSON, for the clock started
    # on its sent_on); the due dates on the row already include them.
    db["requests"].add_column("clock_adjust", str)


@migrations()
def m016_reply_search_stemmed(db: Database) -> None:
    # `foibot search` over the replies: the m006 index again, with stemming.
    stemmed_fts(db, "correspondence", ("text", "attachments"))


@migrations()
def m017_answers(db: Database) -> None:
    # The first reply on the current clock, and the reply that answered it once WDTK's
    # state says so: "answered" and "on time" count answers, not acknowledgements.
    db["requests"].add_column("first_reply_at", str)
    db["requests"].add_column("answered_at", str)
    # Stored dates predate these columns: the next poll of each request fills them in.
    db.execute("UPDATE requests SET etag = NULL WHERE wdtk_id IS NOT NULL")


@migrations()
def m018_request_group(db: Database) -> None:
    # A researcher's label for tracked requests that belong to no campaign (`track
    # --group`): status, overdue, report and the ICS export filter by it.
    db["requests"].add_column("group", str)
    db["requests"].create_index(["group"])


@migrations()
def m019_mailbox(db: Database) -> None:
    # `foibot mail`: how far each IMAP folder has been read (its UIDVALIDITY with the last
    # UID handled), and every WDTK message handled, keyed by its Message-ID (or a digest
    # of the message) so that none is handled twice, even when UIDVALIDITY changes.
    db["mail_cursor"].create(
        {"folder": str, "uidvalidity": int, "last_uid": int, "checked_at": str}, pk="folder"
    )
    db["mail_handled"].create(
        {
            "key": str,
            "folder": str,
            "uidvalidity": int,
            "uid": int,
            "kind": str,  # new_response, overdue, classify, track …
            "refs": str,  # JSON list of the tracked requests it named
            "untracked": str,  # JSON list of the WDTK requests it named that are not tracked
            "handled_at": str,
        },
        pk="key",
    )
    # Which path last confirmed each request against WDTK: a poll found by the schedule,
    # or one that a WDTK alert e-mail asked for.
    db["requests"].add_column("last_confirmed_at", str)
    db["requests"].add_column("last_confirmed_via", str)


@migrations()
def m020_attachment_links(db: Database) -> None:
    # Each reply's attachments' download paths on WDTK, line for line with their names.
    db["correspondence"].add_column("attachment_links", str)


@migrations()
def m021_requests_last_event_at(db: Database) -> None:
    # When WDTK last showed a change on a request (its newest event): the poll schedule
    # looks often for a while after a reply or a refusal, then daily. Filled from the
    # events already stored, since a 304 would never fill it.
    db["requests"].add_column("last_event_at", str)
    db.execute(
        "UPDATE requests SET last_event_at = (SELECT max(at) FROM events "
        "WHERE events.ref = requests.ref AND wdtk_event_id IS NOT NULL)"
    )


@migrations()
def m022_requests_stage(db: Database) -> None:
    # How far each request has been escalated, kept by the database as its follow-ups
    # change, so that `status` reads one column rather than every follow-up (10,000
    # requests with 8,000 follow-ups: 40 ms a run). The stage is the furthest follow-up
    # kind (nudge, chaser, internal-review, complaint; a kind foibot does not know counts
    # least), the latest made of that kind (then the highest ref), and its state: "chaser
    # draft". Triggers, as m016's, must be made again after a transform() of followups.
    db["requests"].add_column("stage", str)
    furthest = (
        "(SELECT f.kind || ' ' || f.status FROM followups f WHERE f.request = requests.ref "
        "ORDER BY CASE f.kind WHEN 'nudge' THEN 0 WHEN 'chaser' THEN 1 "
        "WHEN 'internal-review' THEN 2 WHEN 'complaint' THEN 3 ELSE -1 END DESC, "
        "coalesce(f.created_at, '') DESC, f.ref DESC LIMIT 1)"
    )
    for suffix, event, refs in (
        ("ai", "INSERT", "new.request"),
        ("ad", "DELETE", "old.request"),
        ("au", "UPDATE OF ref, request, kind, status, created_at", "old.request, new.request"),
    ):
        db.execute(
            f"CREATE TRIGGER followups_stage_{suffix} AFTER {event} ON followups BEGIN "
            f"UPDATE requests SET stage = {furthest} WHERE ref IN ({refs}); END"
        )
    db.execute(
        f"UPDATE requests SET stage = {furthest} WHERE ref IN (SELECT request FROM followups)"
    )


@migrations()
def m023_letters_apart(db: Database) -> None:
    # A drafted request's letter in a table of its own, as Alaveteli keeps outgoing
    # messages apart from info_requests. In the requests row, a letter of 1-2 KB made
    # the table four to ten times its size, and every scan (`status`, `overdue`, the poll
    # schedule) read every letter's page: 10,000 requests, +16 ms a `status`. `drafted`
    # (1: foibot drafted a letter for it) keeps one draft per body and campaign (m009).
    db["letters"].create(
        {"ref": str, "text": str},
        pk="ref",
        not_null={"text"},
        foreign_keys=[("ref", "requests", "ref")],
    )
    db.execute(
        "INSERT INTO letters (ref, text) SELECT ref, letter FROM requests WHERE letter IS NOT NULL"
    )
    db["requests"].add_column("drafted", int)
    db.execute("UPDATE requests SET drafted = 1 WHERE letter IS NOT NULL")
    db.execute("DROP INDEX idx_requests_campaign_body")
    db.execute(
        "CREATE UNIQUE INDEX idx_requests_campaign_body ON requests (campaign, body) "
        "WHERE campaign IS NOT NULL AND drafted = 1"
    )
    retire_column(db, "requests", "letter")


@migrations()
def m024_followup_withdrawn(db: Database) -> None:
    # A drafted or released follow-up whose reason has gone (the body answered, the clock
    # restarted, a review began) is withdrawn, never released: when, and the note why.
    db["followups"].add_column("withdrawn_at", str)
    db["followups"].add_column("withdrawn_note", str)


@migrations()
def m025_correspondence_word_fingerprints(db: Database) -> None:
    # A message's fingerprint now covers its words, not how the page broke them into
    # lines: reply text was read with a blank line at every <br>, and is now read as the
    # page shows it; with the old fingerprint the next read of each page would have
    # stored every message a second time. Where two stored copies differ only in layout,
    # the first is kept.
    from bot.store.fingerprints import message_fingerprint

    seen: set[tuple[str, str]] = set()
    rows = db.execute(
        "SELECT id, ref, direction, text, attachments FROM correspondence ORDER BY id"
    ).fetchall()
    for row_id, ref, kind, text, attachments in rows:
        print_ = message_fingerprint(kind, text or "", (attachments or "").splitlines())
        if (ref, print_) in seen:
            db.execute("DELETE FROM correspondence WHERE id = ?", [row_id])
            continue
        seen.add((ref, print_))
        db.execute("UPDATE correspondence SET fingerprint = ? WHERE id = ?", [print_, row_id])


@migrations()
def m026_attachments(db: Database) -> None:
    # Each reply's attachments: queued when the reply is stored, then fetched from WDTK
    # once and read. `extraction` holds what was read (bot.extraction.model.Extraction as
    # JSON); its text is searchable through attachment_segments, one row per page, sheet
    # cell run or line block, so a hit can say where it is.
    db["attachments"].create(
        {
            "id": int,
            "ref": str,
            "correspondence_id": int,
            "number": int,  # 1-based position among the reply's attachments
            "name": str,  # as WDTK shows it: never used as a path
            "url": str,  # WDTK download path ("" where the page gave none)
            "state": str,  # queued, read, scanned, unreadable, skipped
            "reason": str,
            "kind": str,
            "size": int,
            "sha256": str,
            "pages": int,
            "sheets": str,  # one name per line
            "extraction": str,
            "queued_at": str,
            "fetched_at": str,
        },
        pk="id",
        foreign_keys=[("ref", "requests", "ref"), ("correspondence_id", "correspondence", "id")],
    )
    db["attachments"].create_index(["correspondence_id", "number"], unique=True)
    db["attachments"].create_index(["state"])
    db["attachments"].create_index(["sha256"])
    db["attachment_segments"].create(
        {
            "id": int,
            "attachment_id": int,
            "page": int,
            "sheet": str,
            "cell": str,
            "line": int,
            "member": str,
            "text": str,
        },
        pk="id",
        foreign_keys=[("attachment_id", "attachments", "id")],
    )
    db["attachment_segments"].create_index(["attachment_id"])
    stemmed_fts(db, "attachment_segments", ("text",))
    # Replies stored before this migration: their attachments wait for
    # `foibot attachments fetch` (or the next pass) like any new reply's.
    from bot.store.attachments import queue_rows

    rows = db.execute(
        "SELECT id, ref, attachments, attachment_links FROM correspondence "
        "WHERE direction = 'incoming' AND coalesce(attachments, '') != '' ORDER BY id"
    ).fetchall()
    for row_id, ref, names, links in rows:
        queue_rows(db.conn, ref, row_id, names, links)


@migrations()
def m027_users(db: Database) -> None:
    """The accounts of `foibot serve` (`foibot users add`): a name, a role (viewer or
    editor), a password hash (scrypt, bot/passwords.py), never the password."""
    db["users"].create(
        {"name": str, "role": str, "password_hash": str, "created_at": str, "last_login_at": str},
        pk="name",
    )


def stemmed_fts(db: Database, table: str, columns: tuple[str, ...]) -> None:
    """An FTS5 index `<table>_fts` over `columns` with Porter stemming (so "dismissed"
    finds "dismissals"), rebuilt from the table, with its three triggers made afresh
    (sqlite-utils' transform() drops FTS triggers, so a table transformed since would
    otherwise fall silently out of step). Plain statements rather than enable_fts(), whose
    executescript() would commit the migration's transaction."""
    fts = f"{table}_fts"
    for suffix in ("ai", "ad", "au"):
        db.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
    db.execute(f"DROP TABLE IF EXISTS {fts}")
    names = ", ".join(columns)
    db.execute(
        f"CREATE VIRTUAL TABLE {fts} USING FTS5 ({names}, "
        f"tokenize='porter unicode61 remove_diacritics 2', content={table})"
    )
    db.execute(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete = f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.rowid, {old});"
    insert = f"INSERT INTO {fts} (rowid, {names}) VALUES (new.rowid, {new});"
    db.execute(f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN {insert} END")
    db.execute(f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN {delete} END")
    db.execute(f"CREATE TRIGGER {table}_au AFTER UPDATE ON {table} BEGIN {delete} {insert} END")


def retire_column(db: Database, table: str, column: str, *, can_drop: bool | None = None) -> None:
    """Drop `column` where SQLite can (3.35 and later). An older one keeps it, emptied and
    renamed `retired_<column>`, so that no read finds a value under the old name."""
    if can_drop is None:
        can_drop = sqlite3.sqlite_version_info >= (3, 35, 0)
    if can_drop:
        db.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    else:
        db.execute(f'UPDATE "{table}" SET "{column}" = NULL')
        db.execute(f'ALTER TABLE "{table}" RENAME COLUMN "{column}" TO "retired_{column}"')


@migrations()
def m028_poll_passes(db: Database) -> None:
    """One row per pass that asked WDTK (scheduled, manual, or for a mail alert): what it
    cost and what it found, so `doctor` can say how many calls each change costs."""
    db["poll_passes"].create(
        {
            "id": int,
            "at": str,  # UTC, ISO 8601: when the pass ran (its `now`)
            "kind": str,  # scheduled, manual or mail
            "polled": int,  # requests the pass looked at
            "http_calls": int,  # every attempt on the wire, page reads included
            "changes": int,  # new WDTK events the pass stored
        },
        pk="id",
    )
    db["poll_passes"].create_index(["at"])


@migrations()
def m029_requests_body_index(db: Database) -> None:
    # The poll schedule learns each body's reply hours from its requests' replies, a
    # lookup by body on every pass.
    db["requests"].create_index(["body"], if_not_exists=True)


@migrations()
def m030_users_sessions_from(db: Database) -> None:
    """When each account's sessions were last ended (logging out ends them all): a
    signed cookie from before then, or from before the account was made, is no longer a
    login."""
    db["users"].add_column("sessions_from", str)
    db.execute("UPDATE users SET sessions_from = created_at")  # no session from before it
