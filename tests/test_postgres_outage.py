"""The PostgreSQL server out of reach: requests are not acknowledged (503, so Slack retries its
events) and nothing is lost; once it is back, the same server process acknowledges again."""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict

from bot.settings import Settings
from bot.store.postgres import PostgresStore
from flows.values import MemberKey
from tests.conftest import serving, wait_for_empty_outbox
from tests.fake_slack import FakeSlack
from tests.processes import wait_for

ALICE, BOB = "U0ALICE", "U0BOB"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}


def cut_off(postgres_server, database: str, reachable: bool) -> None:
    """Let no one connect to ``database`` and end every connection to it, or let them in again."""
    with psycopg.connect(postgres_server.url(), autocommit=True) as admin:
        admin.execute(f"alter database {database} allow_connections {str(reachable).lower()}".encode())
        if not reachable:
            admin.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = %s", [database])


def test_a_database_out_of_reach_answers_503_then_serves_again(
    settings: Settings, fake_slack: FakeSlack, postgres_server, postgres_url: str
) -> None:
    database = str(conninfo_to_dict(postgres_url)["dbname"])
    store = PostgresStore(postgres_url)
    settings = settings.model_copy(update={"coach_database_url": postgres_url})
    try:
        with serving(settings, store, fake_slack) as driver:
            assert driver.command(ALICE).status == 200
            driver.wait_question(ALICE, 1)
            wait_for_empty_outbox(store)
            cut_off(postgres_server, database, reachable=False)
            answer = driver.event_body(ALICE, "yes", event_id="Ev0ANSWER")
            assert driver.post(answer, "application/json").status == 503
            assert driver.command(BOB).status == 503
            assert driver.get("/healthz").status == 503
            cut_off(postgres_server, database, reachable=True)
            wait_for(lambda: driver.get("/healthz").status == 200, "no connection again", timeout=60)
            assert driver.post(answer, "application/json", headers=RETRY).status == 200  # Slack's retry
            assert driver.command(BOB).status == 200  # the member tries again
            driver.wait_question(ALICE, 2)
            driver.wait_question(BOB, 1)
        assessment = store.latest_assessment(MemberKey("T0001", ALICE))
        assert assessment is not None and len(store.answers(assessment.id)) == 1
    finally:
        store.close()
