"""Every aggregate's queries together, for both stores: ``Store`` puts them on SQLite's connection,
``PostgresStore`` on PostgreSQL's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store.assessments import AssessmentQueries
from bot.store.members import MemberQueries
from bot.store.outbox import OutboxQueries
from bot.store.privacy import PrivacyQueries
from bot.store.requests import RequestQueries
from bot.store.sends import SendQueries
from bot.store.workspaces import WorkspaceQueries

if TYPE_CHECKING:
    from bot.store.actions import ActionStore
    from bot.store.plans import PlanStore


class CoachQueries(
    MemberQueries, AssessmentQueries, SendQueries, WorkspaceQueries, PrivacyQueries, RequestQueries, OutboxQueries
):
    @property
    def plans(self) -> PlanStore:
        from bot.store.plans import PlanStore

        return PlanStore(self)

    @property
    def actions(self) -> ActionStore:
        from bot.store.actions import ActionStore

        return ActionStore(self)
