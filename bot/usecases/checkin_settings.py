"""The weekly check-in's settings: its day and time, a pause (until a date, or until resumed), and
whether admins may see the member's plan. A mixin of ``Journey``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.store import MemberRow
from bot.store.interfaces import CoachStore
from bot.usecases.lookback import latest_verdict
from bot.usecases.plan import Plans
from flows.away import (
    local_today,
    pause_end,
    pause_over,
    pause_problem,
    read_pause_request,
    resume_slot,
    with_english,
)
from flows.content import Bundle
from flows.outcomes import Notice, Outcome, SettingsForm
from flows.schedule import offered_times, parse_clock
from flows.values import Clock, MemberKey
from flows.verdicts import gets_weekly_checkins


def settings_of(row: MemberRow) -> SettingsForm:
    until = row.paused_until.isoformat() if row.paused_until is not None else None
    return SettingsForm(row.checkin_weekday, row.checkin_time, row.paused, row.share_with_admins, until)


def schedule_problem(weekday: int, at: time | None) -> Notice | None:
    if not 0 <= weekday <= 6:
        return Notice("settings_bad_day")
    return Notice("settings_bad_time") if at is None else None


def paused_until_notice(until: date) -> Notice:
    return Notice("paused_until", {"date": datetime.combine(until, time(12, 0), tzinfo=UTC)})


class CheckinSettings:
    store: CoachStore
    bundle: Bundle
    clock: Clock

    def _member(self, member: MemberKey) -> MemberRow:
        self.store.ensure_member(member, self.clock())
        row = self.store.member(member)
        assert row is not None
        return row

    def settings_form(self, member: MemberKey) -> SettingsForm:
        row = self._member(member)
        return settings_of(row)

    def save_settings(
        self,
        member: MemberKey,
        weekday: int,
        clock_text: str,
        paused: bool,
        share: bool = False,
        until: date | None = None,
        shown: date | None = None,
        from_form: bool = False,
    ) -> list[Outcome]:
        """The settings form; a date picked pauses until that date, whatever the pause switch says, but
        the date the form showed (``shown``, else the pause's own), left as it was with the switch turned
        off, lifts the pause, even one that ended while the form was open. ``from_form``: a time the
        form did not offer was not picked from it, and is refused."""
        at = parse_clock(clock_text)
        if wrong := schedule_problem(weekday, at):
            return [wrong]
        assert at is not None
        row = self._member(member)
        if from_form and clock_text not in offered_times(row.checkin_time):
            return [Notice("settings_bad_time")]
        if not paused and until is not None and until == (shown or row.paused_until):
            until = None  # unticked, the date left as the form showed it: resumed
        if until is not None and (problem := pause_problem(until, local_today(self.clock(), row.tz))):
            return [Notice(problem)]
        self.store.update_member(
            member,
            checkin_weekday=weekday,
            checkin_time=at.strftime("%H:%M"),
            paused=int(paused or until is not None),
            paused_until=until.isoformat() if until is not None else None,
            share_with_admins=int(share),
        )
        shared = row.share_with_admins and not share
        unshared = Plans(self.store, self.bundle, self.clock).stop_sharing(member) if shared else []
        if until is not None:
            return [*unshared, paused_until_notice(until)]
        return [*unshared, Notice("paused")] if paused else [*unshared, *self._saved(member)]

    def _saved(self, member: MemberKey) -> list[Outcome]:
        """The check-in's new day and time, and, when none will come yet, why (as ``resume`` says)."""
        if not gets_weekly_checkins(latest_verdict(self.store, member)):
            return [self._schedule_notice("settings_saved_not_for_now", member)]
        placed = self._member(member).stage is not None
        return [self._schedule_notice("settings_saved" if placed else "settings_saved_unplaced", member)]

    def move_checkin(self, member: MemberKey, weekday: int, clock_text: str) -> list[Outcome]:
        """A day and time typed for the check-in: it moves there, and a pause stays as it was, which the
        reply says; *resume*, or the form, which shows the pause, lifts it."""
        row = self._member(member)
        until = row.paused_until
        if not row.paused or (until is not None and pause_over(self.clock(), row.tz, until)):
            return self.save_settings(member, weekday, clock_text, paused=False, share=row.share_with_admins)
        at = parse_clock(clock_text)
        if wrong := schedule_problem(weekday, at):
            return [wrong]
        assert at is not None
        self.store.update_member(member, checkin_weekday=weekday, checkin_time=at.strftime("%H:%M"))
        pause = paused_until_notice(until) if until is not None else Notice("paused")
        return [*self._saved(member), pause]

    def pause(self, member: MemberKey) -> list[Outcome]:
        self._member(member)
        self.store.update_member(member, paused=1, paused_until=None)
        return [Notice("paused")]

    def pause_until(self, member: MemberKey, until: date | None) -> list[Outcome]:
        """Pause check-ins, reminders and follow-ups until a day in the member's time zone; the tick
        resumes them that day (``resume_ended_pauses``). None: the date could not be read."""
        row = self._member(member)
        if until is None:
            return [Notice("pause_bad_date")]
        if problem := pause_problem(until, local_today(self.clock(), row.tz)):
            return [Notice(problem)]
        self.store.update_member(member, paused=1, paused_until=until.isoformat())
        return [paused_until_notice(until)]

    def pause_typed(self, member: MemberKey, text: str, bundle: Bundle) -> list[Outcome] | None:
        """A DM that asks for a pause until a date, read in ``bundle``'s language; None if it asks none."""
        row = self.store.member(member)
        today = local_today(self.clock(), row.tz if row is not None else None)
        request = read_pause_request(text, bundle.away, bundle.locale, today)
        return None if request is None else self.pause_until(member, request.until)

    def pause_command(self, member: MemberKey, args: list[str], bundle: Bundle) -> list[Outcome]:
        """``/coach pause`` until resumed, or ``/coach pause until <date>`` (any date form the DM reads)."""
        if not args:
            return self.pause(member)
        row = self._member(member)
        today, words = local_today(self.clock(), row.tz), with_english(bundle.away, bundle.locale)
        found, _words, _spanned = pause_end(" ".join(args), words, bundle.locale, today)  # as the DM reads it
        return self.pause_until(member, found)

    def resume_ended_pauses(self, now: datetime) -> int:
        """Resume every member whose pause until a date is over where they live; how many."""
        ended = [
            (row, row.paused_until)
            for row in self.store.members_paused_until_by(now.date() + timedelta(days=1))
            if row.paused_until is not None and pause_over(now, row.tz, row.paused_until)
        ]
        for row, until in ended:
            self.store.update_member(row.key, paused=0, paused_until=None)
            slot = resume_slot(now, row.tz, row.checkin_weekday, row.checkin_time, until)
            self.store.set_next_checkins([(row.key, slot)])
        return len(ended)

    def resume(self, member: MemberKey) -> list[Outcome]:
        """Check-ins back on; after a *Not for now* verdict, or before a stage, there are none yet to
        bring back, and it says so."""
        row = self._member(member)
        self.store.update_member(member, paused=0, paused_until=None)
        if not gets_weekly_checkins(latest_verdict(self.store, member)):
            return [Notice("home_schedule_not_for_now")]
        return [self._schedule_notice("resumed", member) if row.stage is not None else Notice("resumed_unplaced")]

    def _schedule_notice(self, key: str, member: MemberKey) -> Notice:
        row = self._member(member)
        return Notice(key, {"weekday": row.checkin_weekday, "time": row.checkin_time, "tz": row.tz or "UTC"})
