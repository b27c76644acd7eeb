"""The database schema, one ``sqlite_utils.Migrations`` step per change, applied in order."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("coach")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("members").create(
        {"team_id": str, "user_id": str, "locale": str, "tz": str, "created_at": str},
        pk=("team_id", "user_id"),
    )
    db.table("assessments").create(
        {
            "id": int,
            "team_id": str,
            "user_id": str,
            "state": str,
            "version": int,
            "started_at": str,
            "updated_at": str,
            "completed_at": str,
            "prompt_channel": str,
            "prompt_ts": str,
        },
        pk="id",
        not_null={"team_id", "user_id", "state", "version", "started_at", "updated_at"},
    )
    db.table("assessments").create_index(["team_id", "user_id", "id"])
    db.table("answers").create(
        {"assessment_id": int, "question_id": str, "rating": str, "source": str, "answered_at": str},
        pk=("assessment_id", "question_id"),
        foreign_keys=[("assessment_id", "assessments", "id")],
    )
    db.table("processed_events").create({"event_id": str, "received_at": str}, pk="event_id")


@migrations()
def m002_journey_and_schedule(db: Database) -> None:
    members = db.table("members")
    members.add_column("stage", int)
    members.add_column("journey_version", int, not_null_default=0)
    members.add_column("checkin_weekday", int, not_null_default=0)
    members.add_column("checkin_time", str, not_null_default="09:00")
    members.add_column("paused", int, not_null_default=0)
    members.add_column("active", int, not_null_default=1)
    members.add_column("placed_at", str)
    members.add_column("dm_channel", str)
    members.add_column("inactive_reason", str)
    db.table("stage_changes").create(
        {"id": int, "team_id": str, "user_id": str, "from_stage": int, "to_stage": int, "source": str, "at": str},
        pk="id",
    )
    db.table("stage_changes").create_index(["team_id", "user_id", "id"])
    db.table("tips_shown").create(
        {"id": int, "team_id": str, "user_id": str, "stage": int, "tip_index": int, "at": str}, pk="id"
    )
    db.table("tips_shown").create_index(["team_id", "user_id", "stage"])
    db.table("checkins").create(
        {"team_id": str, "user_id": str, "period": str, "stage_before": int, "outcome": str, "at": str},
        pk=("team_id", "user_id", "period"),
    )
    db.table("sends").create(
        {
            "key": str,
            "team_id": str,
            "user_id": str,
            "kind": str,
            "period": str,
            "status": str,
            "owner": str,
            "claimed_at": str,
            "sent_at": str,
            "channel": str,
            "ts": str,
            "detail": str,
        },
        pk="key",
    )
    db.table("sends").create_index(["team_id", "user_id", "kind", "period"])
    db.table("sends").create_index(["status"])
    db.table("workspaces").create(
        {"team_id": str, "active": int, "stopped_reason": str, "stopped_at": str}, pk="team_id"
    )


@migrations()
def m003_sharing_and_digests(db: Database) -> None:
    db.table("members").add_column("share_with_admins", int, not_null_default=0)
    db.table("digests").create(
        {"team_id": str, "channel_id": str, "created_by": str, "tz": str, "created_at": str},
        pk=("team_id", "channel_id"),
    )


@migrations()
def m004_language(db: Database) -> None:
    db.table("members").add_column("language", str)  # the member's own choice; overrides Slack's locale


@migrations()
def m005_indexed_schedule(db: Database) -> None:
    """Due work is found through indexes, so a tick costs the same with a thousand or a million members."""
    db.table("members").add_column("next_checkin_at", str)
    db.table("members").create_index(["next_checkin_at"])
    db.table("assessments").add_column("nudges_sent", int, not_null_default=0)
    db.execute(
        "create index idx_assessments_to_nudge on assessments (updated_at)"
        " where completed_at is null and nudges_sent < 2"
    )


@migrations()
def m006_hardening(db: Database) -> None:
    """Retries with backoff, leases on claims, event claims that can be taken back, a replay cache
    of request signatures, and a row the health check writes."""
    db.table("send_retries").create({"key": str, "attempts": int, "retry_at": str}, pk="key")
    db.table("sends").add_column("lease_until", float)
    db.table("processed_events").add_column("status", str, not_null_default="done")
    db.table("processed_events").create_index(["received_at"])
    db.table("seen_signatures").create({"signature": str, "seen_at": float}, pk="signature")
    db.table("seen_signatures").create_index(["seen_at"])
    db.table("health").create({"id": int, "at": str}, pk="id")


@migrations()
def m007_answer_text(db: Database) -> None:
    """The member's own words with a typed answer, and a reply awaiting "Did you mean …?"."""
    db.table("answers").add_column("text", str)
    db.table("assessments").add_column("pending_question", str)
    db.table("assessments").add_column("pending_text", str)
    db.table("assessments").add_column("reviewing", int, not_null_default=0)  # offering skipped questions again


@migrations()
def m008_plans(db: Database) -> None:
    """The member's social media plan: answers per section (JSON), and where each plan document lives
    (``channel_id`` "dm" for the member's own canvas, or the channel an admin published it in)."""
    db.table("plan_answers").create(
        {"team_id": str, "user_id": str, "section_id": str, "answers": str, "updated_at": str},
        pk=("team_id", "user_id", "section_id"),
    )
    db.table("plan_documents").create(
        {"team_id": str, "user_id": str, "channel_id": str, "canvas_id": str, "link": str, "updated_at": str},
        pk=("team_id", "user_id", "channel_id"),
    )


@migrations()
def m009_outbox(db: Database) -> None:
    """Replies to send, written in the same transaction as the state change they answer."""
    db.execute(
        "create table outbox (id integer primary key autoincrement, team_id text not null, user_id text not null,"
        " payload blob not null, status text not null default 'pending', owner text, claimed_at text,"
        " attempts integer not null default 0, done integer not null default 0, not_before real not null default 0,"
        " created_at text not null)"
    )
    db.execute("create index idx_outbox_member on outbox (team_id, user_id, id)")


@migrations()
def m010_prompt_question(db: Database) -> None:
    """Which question the recorded prompt message asks, so a late record never points at another one."""
    db.table("assessments").add_column("prompt_question", str)


@migrations()
def m011_outbox_lanes(db: Database) -> None:
    """Private replies (through a slash command's response URL) queue apart from DM messages."""
    db.table("outbox").add_column("lane", str, not_null_default="dm")


@migrations()
def m012_one_sending_path(db: Database) -> None:
    """Scheduled messages are outbox rows: their claims no longer carry an owner or a lease, and their
    retries are the outbox's. The sending processes beat a heartbeat, by which their claims are known
    to be alive (instead of a pid, a host name and a start time read from ``/proc``)."""
    db.table("send_retries").drop(ignore=True)
    db.table("sends").transform(drop={"owner", "lease_until"})
    db.table("senders").create({"owner": str, "seen_at": float}, pk="owner")


@migrations()
def m013_open_prompt(db: Database) -> None:
    """What the coach last asked each member (``flows.prompts``): their next typed reply answers it."""
    db.table("members").add_column("open_prompt", str)
    db.table("members").add_column("open_prompt_at", str)


@migrations()
def m014_home_viewers(db: Database) -> None:
    """Who has opened App Home (and when first): only for them is it republished as their steps end."""
    db.table("home_viewers").create({"team_id": str, "user_id": str, "seen_at": str}, pk=("team_id", "user_id"))


@migrations()
def m015_paused_until(db: Database) -> None:
    """A pause may end on a date (ISO, in the member's own time zone); null pauses until resumed."""
    db.table("members").add_column("paused_until", str)
    db.execute("create index idx_members_paused_until on members (paused_until) where paused_until is not null")


@migrations()
def m016_canvas_parts_written(db: Database) -> None:
    """What the coach last wrote under each heading of a plan canvas (JSON: section id -> Markdown), so
    a later save edits only those lines and finds out when a person changed them."""
    db.table("plan_documents").add_column("written", str)


@migrations()
def m017_actions(db: Database) -> None:
    """Actions: a next step or a plan part that one person (``owner_id``) does by a date (``due``, ISO);
    ``user_id`` is the member who made it. Member data: exported and forgotten with its maker, and
    with its owner."""
    db.execute(
        "create table actions (id integer primary key autoincrement, team_id text not null,"
        " user_id text not null, owner_id text not null, source text not null, title text not null,"
        " due text not null, status text not null default 'open', created_at text not null,"
        " updated_at text not null)"
    )
    db.execute("create index idx_actions_owner on actions (team_id, owner_id, status, due)")
    db.execute("create index idx_actions_maker on actions (team_id, user_id)")


@migrations()
def m018_action_lists(db: Database) -> None:
    """The Slack List of a member's actions (its column ids by key, JSON), or that Slack refused one
    (``refused``: the actions then go in the plan canvas); each action's item in it."""
    db.table("action_lists").create(
        {"team_id": str, "user_id": str, "list_id": str, "columns": str, "refused": int},
        pk=("team_id", "user_id"),
        not_null={"refused"},
        defaults={"refused": 0},
    )
    db.table("actions").add_column("item_id", str)
