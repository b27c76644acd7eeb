"""One reading of what a failed Slack Web API call means, for every place that calls Slack.

Each caller decides what to do with the answer (stop a member, stop a workspace, retry later, look
before re-sending), but they all agree on which failure is which.
"""

from __future__ import annotations

from enum import Enum

from slack_sdk.errors import SlackApiError

# This member can no longer be reached.
MEMBER_GONE = frozenset({"user_not_found", "user_disabled", "cannot_dm_bot", "user_is_bot", "users_not_found"})
# This workspace's token is dead: uninstalled, revoked, or rotated away.
WORKSPACE_GONE = frozenset(
    {"invalid_auth", "account_inactive", "token_revoked", "not_authed", "team_access_not_granted", "org_login_required"}
)
# Slack had a bad moment; the same call may well work a little later.
PASSING = frozenset(
    {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


class SlackFault(Enum):
    GONE_MEMBER = "gone_member"
    REVOKED_WORKSPACE = "revoked_workspace"
    TRANSIENT = "transient"  # nothing happened on Slack's side; try again later
    UNCERTAIN = "uncertain"  # the call may or may not have taken effect (a timeout, a dropped connection)
    REFUSED = "refused"  # Slack said no for good to this one call (a bad channel, bad blocks)


def error_code(error: BaseException) -> str:
    """Slack's error code, or the exception's type name when Slack never answered."""
    if isinstance(error, SlackApiError):
        response = error.response
        code = response.get("error") if response is not None else None
        return str(code or f"http_{getattr(response, 'status_code', 'unknown')}")
    return type(error).__name__


def classify(error: BaseException) -> SlackFault:
    if isinstance(error, SlackApiError):
        code = error_code(error)
        status = int(getattr(error.response, "status_code", 200) or 200)
        if code in MEMBER_GONE:
            return SlackFault.GONE_MEMBER
        if code in WORKSPACE_GONE:
            return SlackFault.REVOKED_WORKSPACE
        if code in PASSING or status == 429 or status >= 500:
            return SlackFault.TRANSIENT
        return SlackFault.REFUSED
    return SlackFault.UNCERTAIN  # OSError and friends: a timeout or a connection that dropped mid-call


def rate_limit_wait(error: BaseException) -> float | None:
    """Seconds Slack asked to wait (``Retry-After``) when it answered 429; None for any other failure."""
    if not isinstance(error, SlackApiError) or int(getattr(error.response, "status_code", 0) or 0) != 429:
        return None
    headers = getattr(error.response, "headers", None) or {}
    value = next((value for name, value in headers.items() if name.lower() == "retry-after"), None)
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(1.0, float(value)) if value is not None else 1.0
    except ValueError:
        return 1.0


def describe(error: BaseException) -> str:
    """For log lines: the code and how it was read, never a token or a stack trace."""
    return f"{error_code(error)} ({classify(error).value})"


SLACK_FAILURES: tuple[type[BaseException], ...] = (SlackApiError, OSError)
