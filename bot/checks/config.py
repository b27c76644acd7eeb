"""``coach doctor``, and ``coach run`` before it serves: is the configuration complete, and does Slack
accept it? Every finding is one plain line that names the setting, what is wrong with it and where in
Slack's app settings the right value is, so a first run never ends in a stack trace.

The checks that need no network come first; Slack is asked only once they pass (``auth.test`` for the
bot token, ``apps.connections.open`` for Socket Mode's app-level token). The Socket Mode URL that the
second call returns is kept, so ``coach run`` connects with it instead of asking Slack twice (the
method allows about one call a minute)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import Settings
from bot.slack.errors import WORKSPACE_GONE, error_code
from bot.slack.installations import oauth_mode

BOT_TOKEN_PLACE = "OAuth & Permissions → OAuth Tokens → Bot User OAuth Token, after Install to Workspace"
APP_TOKEN_PLACE = "Basic Information → App-Level Tokens → Generate Token and Scopes, with connections:write"
SECRET_PLACE = "Basic Information → App Credentials → Signing Secret"
OAUTH_NEEDS_HTTP = (
    "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth mode) need HTTP, where workspaces install the coach:"
    " run `coach run --http`, or remove them from .env to serve one workspace in Socket Mode"
)
PLACEHOLDER_MARKS = ("...", "…", "<", ">", "*", "your-", "your_")
SLACK_TOKEN_PREFIX = re.compile(r"^(xox[a-z]|xoxe\.xox[a-z]|xapp)-")


def quiet_client(settings: Settings) -> WebClient:
    """A client for one question each: no retries, and no log lines of its own (the finding says it)."""
    quiet = logging.getLogger("coach.checks.slack")
    quiet.propagate, quiet.disabled = False, True
    base_url = settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"
    return WebClient(
        token=settings.secret(settings.slack_bot_token),
        base_url=base_url,
        timeout=settings.slack_timeout,
        logger=quiet,
        retry_handlers=[],
    )


@dataclass(frozen=True)
class Finding:
    ok: bool
    line: str


def is_placeholder(value: str) -> bool:
    """A value copied from ``.env.sample`` or a tutorial rather than from Slack (``xoxb-...``)."""
    lowered = value.strip().lower()
    return any(mark in lowered for mark in PLACEHOLDER_MARKS) or any(c.isspace() for c in value.strip())


def token_finding(name: str, value: str | None, prefixes: tuple[str, ...], place: str) -> Finding:
    if not value:
        return Finding(False, f"{name} is not set: put it in .env (cp .env.sample .env), copied from {place}")
    if is_placeholder(value) or value in prefixes:
        return Finding(False, f"{name} is a placeholder ({value[:8]}): paste the real one from {place}")
    if not value.startswith(prefixes):
        found = SLACK_TOKEN_PREFIX.match(value)
        this_one = f"this one starts with {found.group(0)}" if found else "this one is no Slack token"
        expected = " or ".join(prefixes)
        return Finding(False, f"{name} must start with {expected} ({this_one}): take it from {place}")
    return Finding(True, f"{name} is set ({prefixes[0]}…)")


class ConfigurationCheck:
    """One look at the configuration for one way of serving: Socket Mode, or HTTP (``http=True``)."""

    def __init__(self, settings: Settings, http: bool) -> None:
        self.settings = settings
        self.http = http
        self.socket_url: str | None = None  # from apps.connections.open, for the first Socket Mode connection

    def problems(self) -> list[str]:
        return [finding.line for finding in self.findings() if not finding.ok]

    def findings(self) -> list[Finding]:
        found = self.local_findings()
        if any(not finding.ok for finding in found):
            return found
        return found + self.slack_findings()

    def local_findings(self) -> list[Finding]:
        settings = self.settings
        found: list[Finding] = []
        if oauth_mode(settings) and not self.http:
            found.append(Finding(False, OAUTH_NEEDS_HTTP))
        elif oauth_mode(settings):
            found.append(Finding(True, "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set (any number of workspaces)"))
        else:
            bot_token = settings.secret(settings.slack_bot_token)
            found.append(token_finding("SLACK_BOT_TOKEN", bot_token, ("xoxb-", "xoxe.xoxb-"), BOT_TOKEN_PLACE))
        if self.http:
            found.append(self.signing_secret_finding())
        else:
            app_token = settings.secret(settings.slack_app_token)
            found.append(token_finding("SLACK_APP_TOKEN", app_token, ("xapp-",), APP_TOKEN_PLACE))
        return found

    def signing_secret_finding(self) -> Finding:
        secret = self.settings.secret(self.settings.slack_signing_secret)
        needed = "HTTP mode needs it to verify Slack's requests"
        if not secret:
            return Finding(False, f"SLACK_SIGNING_SECRET is not set: {needed}; copy it from {SECRET_PLACE}")
        if is_placeholder(secret):
            return Finding(False, f"SLACK_SIGNING_SECRET is a placeholder: paste the real one from {SECRET_PLACE}")
        return Finding(True, "SLACK_SIGNING_SECRET is set")

    def slack_findings(self) -> list[Finding]:
        client = quiet_client(self.settings)
        reachable = self.bot_token_finding(client)
        if not reachable.ok or self.http:
            return [reachable]
        return [reachable, self.app_token_finding(client)]

    def bot_token_finding(self, client: WebClient) -> Finding:
        try:
            if oauth_mode(self.settings):
                client.api_test()
                return Finding(True, f"Slack answers at {self.settings.slack_api_url}")
            answer = client.auth_test()
        except SlackApiError as error:
            return self.refused("SLACK_BOT_TOKEN", error, BOT_TOKEN_PLACE)
        except OSError as error:
            return self.unreachable(error)
        return Finding(True, f"Slack accepts SLACK_BOT_TOKEN: workspace {answer.get('team')} ({answer.get('team_id')})")

    def app_token_finding(self, client: WebClient) -> Finding:
        try:
            answer = client.apps_connections_open(app_token=self.settings.secret(self.settings.slack_app_token) or "")
        except SlackApiError as error:
            return self.refused("SLACK_APP_TOKEN", error, APP_TOKEN_PLACE)
        except OSError as error:
            return self.unreachable(error)
        self.socket_url = str(answer.get("url") or "") or None
        return Finding(True, "Slack accepts SLACK_APP_TOKEN: Socket Mode can connect")

    def refused(self, name: str, error: SlackApiError, place: str) -> Finding:
        code = error_code(error)
        status = int(getattr(error.response, "status_code", 200) or 200)
        if (400 <= status < 500 and status != 429) or " " in code:  # an answer, but not from Slack's API
            return Finding(
                False,
                f"{self.settings.slack_api_url} does not answer like Slack's Web API (HTTP {status}):"
                " check SLACK_API_URL, or leave it unset for Slack itself",
            )
        if code in WORKSPACE_GONE or code == "not_allowed_token_type":
            return Finding(False, f"Slack refused {name} ({code}): copy it again from {place}, or reinstall the app")
        return Finding(False, f"Slack answered {code} when checking {name}: try again in a minute")

    def unreachable(self, error: OSError) -> Finding:
        reason = getattr(error, "reason", None) or error.strerror or str(error) or type(error).__name__
        return Finding(
            False,
            f"Slack is not reachable at {self.settings.slack_api_url} ({reason}):"
            " check the network connection or proxy (and SLACK_API_URL, if you set it)",
        )


def print_report(settings: Settings, http: bool) -> int:
    """``coach doctor``: every check, ok or not, and what ``coach run`` would do with them."""
    findings = ConfigurationCheck(settings, http).findings()
    for finding in findings:
        print(f"{'ok' if finding.ok else 'problem'}: {finding.line}")
    if any(not finding.ok for finding in findings):
        return 1
    print(f"ready: `coach run{' --http' if http else ''}` will serve {'HTTP' if http else 'Socket Mode'}")
    return 0
