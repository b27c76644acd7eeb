"""``coach check``: catch broken content or a manifest out of step with the code before Slack does."""

from __future__ import annotations

import sys
from typing import Any

import yaml
from pydantic import ValidationError

from bot.checks.content import date_problems, label_problems, load_style, summary_problems, wording_problems
from bot.checks.scopes import scope_problems
from bot.listeners import BOT_EVENTS, SLASH_COMMANDS
from bot.slack.manifest import MANIFEST_NAME, find_manifest
from flows.content import available_locales, content_root, load_bundle_from, placeholders
from flows.plan import plan_problems


def content_problems() -> list[str]:
    problems: list[str] = []
    bundles = {}
    for locale in available_locales():
        try:
            bundles[locale] = load_bundle_from(content_root() / locale)
        except (ValidationError, OSError, ValueError) as error:
            problems.append(f"content/{locale}: {error}")
    reference = bundles.get("en")
    if reference is None:
        return problems or ["content/en: missing"]
    for locale, bundle in bundles.items():
        for key, template in reference.messages.messages.items():
            other = bundle.messages.messages.get(key)
            if other is None:
                problems.append(f"content/{locale}/messages.toml: missing key {key!r}")
            elif placeholders(other) != placeholders(template):
                problems.append(
                    f"content/{locale}/messages.toml: {key!r} uses {sorted(placeholders(other))},"
                    f" English uses {sorted(placeholders(template))}"
                )
        for stage, theirs in zip(reference.stages.stages, bundle.stages.stages, strict=True):
            if len(theirs.tips) != len(stage.tips):
                # Tip rotation stores an index, so a member who switches language must find the same tips.
                problems.append(
                    f"content/{locale}/stages.toml: stage {stage.number} has {len(theirs.tips)} tips,"
                    f" English has {len(stage.tips)}"
                )
        shape = [(q.id, [a.stages for a in q.answers]) for q in reference.stages.quiz]
        if [(q.id, [a.stages for a in q.answers]) for q in bundle.stages.quiz] != shape:
            problems.append(
                f"content/{locale}/stages.toml: the quiz must have the same questions and answers as English"
            )
        problems += plan_problems(reference.plan, bundle.plan, locale)
        extra = set(bundle.messages.messages) - set(reference.messages.messages)
        problems += [f"content/{locale}/messages.toml: unknown key {key!r}" for key in sorted(extra)]
        problems += label_problems(bundle)
        try:
            style = load_style(content_root() / locale)
            problems += wording_problems(bundle, style) + date_problems(bundle, style)
        except (ValidationError, OSError, ValueError) as error:
            problems.append(f"content/{locale}/style.toml: {error}")
    return problems + summary_problems(bundles)


def manifest_problems(manifest: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    features = manifest.get("features") or {}
    declared_commands = {c.get("command") for c in features.get("slash_commands") or []}
    if declared_commands != set(SLASH_COMMANDS):
        problems.append(f"manifest slash commands {sorted(declared_commands)} != code's {sorted(SLASH_COMMANDS)}")
    settings = manifest.get("settings") or {}
    declared_events = set((settings.get("event_subscriptions") or {}).get("bot_events") or [])
    if declared_events != set(BOT_EVENTS):
        problems.append(f"manifest bot events {sorted(declared_events)} != code's {sorted(BOT_EVENTS)}")
    declared_scopes = set(((manifest.get("oauth_config") or {}).get("scopes") or {}).get("bot") or [])
    problems += scope_problems(declared_scopes)
    if not (settings.get("interactivity") or {}).get("is_enabled"):
        problems.append("manifest: interactivity must be enabled for the answer buttons")
    return problems


def run_checks() -> int:
    problems = content_problems()
    manifest_path = find_manifest()
    if manifest_path is None:
        print(f"note: no {MANIFEST_NAME} here; only the content was checked")
    else:
        problems += manifest_problems(yaml.safe_load(manifest_path.read_text(encoding="utf-8")))
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"ok: content for {', '.join(available_locales())} and {MANIFEST_NAME} are valid")
    return 0
