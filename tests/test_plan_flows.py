"""The plan's pure rules and its Markdown document, with no Slack and no database."""

from __future__ import annotations

import pytest

from flows.content import LANGUAGES, QUESTION_IDS, load_bundle
from flows.plan import PlanContent, plan_problems
from flows.plan_document import (
    FieldValue,
    check_section,
    done_sections,
    markdown_text,
    message_mention,
    next_missing,
    render_plan_markdown,
    weakest_first,
)


def complete_answers(plan: PlanContent) -> dict[str, dict[str, FieldValue]]:
    """Every field of every section answered: the first option(s), a person, a sentence."""
    answers: dict[str, dict[str, FieldValue]] = {}
    for section in plan.sections:
        values: dict[str, FieldValue] = {}
        for item in section.fields:
            options = [o.id for o in section.options_of(item)]
            if item.kind in ("choices", "rules"):
                values[item.id] = tuple(options[:2])
            elif item.kind == "choice":
                values[item.id] = options[0]
            elif item.kind == "person":
                values[item.id] = "U0OWNER"
            else:
                values[item.id] = f"answer for {item.id}"
        answers[section.id] = values
    return answers


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_empty_plan_has_every_heading_and_says_each_part_is_missing(language: str) -> None:
    plan = load_bundle(language).plan
    markdown = render_plan_markdown(plan, {})
    assert markdown.startswith(f"# {plan.text('document_title')}\n")
    for number, section in enumerate(plan.sections, start=1):
        assert f"## {number}. {section.title}" in markdown
    for number in range(1, len(QUESTION_IDS) + 1):  # each part says it is missing, by its number
        assert markdown.count(plan.text("section_missing", number=number)) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_complete_plan_holds_every_sentence_and_the_draft_policy(language: str) -> None:
    plan = load_bundle(language).plan
    answers = complete_answers(plan)
    markdown = render_plan_markdown(plan, answers)
    assert not any(plan.text("section_missing", number=n) in markdown for n in range(1, len(QUESTION_IDS) + 1))
    assert done_sections(plan, answers) == frozenset(QUESTION_IDS)
    assert "![](@U0OWNER)" in markdown  # people are canvas mentions
    assert "answer for so\\_that" in markdown  # the member's words, Markdown-escaped
    policy = plan.section("policy")
    rules = policy.field("rules").options
    assert f"1. {rules[0].sentence}" in markdown and f"2. {rules[1].sentence}" in markdown
    assert "3. Answer for own\\_rules." in markdown  # the member's own rule, as a sentence
    assert f"### {plan.text('policy_heading')}" in markdown


def test_member_text_can_never_become_a_mention_a_link_or_formatting() -> None:
    plan = load_bundle("en").plan
    hostile = "<!channel> ![](@U0BOSS) [click](http://x) *bold*"
    markdown = render_plan_markdown(plan, {"reason": {"so_that": hostile, "works_when": "x"}}, message_mention)
    assert "&lt;!channel&gt;" in markdown
    assert "![](@U0BOSS)" not in markdown and "[click](http" not in markdown
    assert "\\*bold\\*" in markdown


def test_people_in_a_markdown_file_are_slack_mentions() -> None:
    plan = load_bundle("en").plan
    answers = {"resources": {"owner": "U0ANNA", "hours": "3_5"}}
    markdown = render_plan_markdown(plan, answers, message_mention)
    assert "Who owns our social media: <@U0ANNA>. It gets 3–5 hours a week, for as long" in markdown


def test_checking_a_section_reports_every_problem_and_keeps_only_clean_values() -> None:
    networks = load_bundle("en").plan.section("networks")
    check = check_section(
        networks, {"networks": ("instagram", "myspace"), "customers_where": " ", "start_with": "orkut"}
    )
    assert set(check.errors) == {"networks", "customers_where", "start_with"}
    assert check.errors["networks"][0] == "error_bad_choice"
    assert check.errors["customers_where"][0] == "error_required"
    good = check_section(
        networks, {"networks": ("instagram", "tiktok"), "customers_where": "on Instagram", "start_with": "tiktok"}
    )
    assert good.errors == {}
    elsewhere = check_section(
        networks, {"networks": ("instagram",), "customers_where": "on Instagram", "start_with": "tiktok"}
    )
    assert elsewhere.errors == {"start_with": ("error_not_chosen", {})} and "start_with" not in elsewhere.values
    assert good.values == {
        "networks": ("instagram", "tiktok"),
        "customers_where": "on Instagram",
        "start_with": "tiktok",
    }


def test_checking_limits_people_choices_and_length() -> None:
    plan = load_bundle("en").plan
    resources = plan.section("resources")
    assert check_section(resources, {"owner": "not an id", "hours": "3_5"}).errors == {
        "owner": ("error_bad_choice", {})
    }
    assert check_section(resources, {"owner": "Anna", "hours": "3_5"}, people_are_ids=False).errors == {}
    figures = check_section(plan.section("measurement"), {"figures": ("reach", "clicks", "sales", "mentions")})
    assert figures.errors["figures"] == ("error_too_many", {"max": 3})
    long = check_section(plan.section("reason"), {"so_that": "x" * 301, "works_when": "y"})
    assert long.errors == {"so_that": ("error_too_long", {"max": 300})}


def test_sections_are_offered_weakest_first_skipping_those_done() -> None:
    plan = load_bundle("en").plan
    ratings = {"reason": "ready", "networks": "partly", "resources": "not_yet", "pipeline": None, "policy": "partly"}
    order = weakest_first(plan, ratings)
    assert order == ("resources", "pipeline", "measurement", "networks", "policy", "reason")
    assert next_missing(order, frozenset({"resources"})) == "pipeline"
    assert next_missing(order, frozenset(), after="resources") == "pipeline"
    assert next_missing(order, frozenset(QUESTION_IDS)) is None


def test_plan_problems_name_a_locale_whose_shape_differs() -> None:
    english = load_bundle("en").plan
    broken = english.model_copy(update={"messages": {k: v for k, v in english.messages.items() if k != "saved"}})
    problems = plan_problems(english, broken, "xx")
    assert problems == ["content/xx/plan.toml: missing key 'saved'"]
    assert plan_problems(english, load_bundle("fi").plan, "fi") == []


# The example plan in the README: a bakery's answers, people as Slack mentions (as in the Markdown file).
EXAMPLE_ANSWERS: dict[str, dict[str, FieldValue]] = {
    "reason": {
        "so_that": "more people pre-order cakes for birthdays and weddings",
        "works_when": "a third of cake orders come through Instagram messages",
    },
    "networks": {
        "networks": ("instagram", "google"),
        "customers_where": "most visitors find us on Google Maps, then look at our photos",
        "start_with": "instagram",
    },
    "resources": {"owner": "U0ANNA", "hours": "3_5", "stand_in": "U0BEN"},
    "pipeline": {"complaints": "U0ANNA", "ideas": "U0BEN", "sales": "U0ANNA", "speed": "one_day"},
    "policy": {"rules": ("reply_time", "tone", "negative", "calendar"), "own_rules": "We never post about politics."},
}


def test_readme_shows_a_plan_exactly_as_the_renderer_writes_it() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    rendered = render_plan_markdown(load_bundle("en").plan, EXAMPLE_ANSWERS, message_mention)
    assert f"```markdown\n{rendered}```" in readme


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("# Rule", "\\# Rule"),
        ("---", "\\---"),
        ("- a list", "\\- a list"),
        ("1. first", "1\\. first"),
        ("a - b", "a - b"),
        # A lone carriage return ends a line in Markdown too (issue 20, item 16).
        ("Cakes\r===", "Cakes\n\\==="),
        ("Cakes\r- a list", "Cakes\n\\- a list"),
        ("Cakes\r\n2. second", "Cakes\n2\\. second"),
    ],
)
def test_typed_lines_never_become_headings_rules_or_lists(typed: str, shown: str) -> None:
    assert markdown_text(typed) == shown


def test_a_carriage_return_in_a_one_line_part_makes_no_heading() -> None:
    plan = load_bundle("en").plan
    answers = {section: dict(values) for section, values in EXAMPLE_ANSWERS.items()}
    first_line = next(key for key, value in answers["reason"].items() if isinstance(value, str))
    answers["reason"][first_line] = "more pre-orders\r==="
    rendered = render_plan_markdown(plan, answers, message_mention)
    assert "\n===" not in rendered and "\r" not in rendered


def test_other_as_the_only_network_is_named_as_typed() -> None:
    plan = load_bundle("en").plan
    answers: dict[str, dict[str, FieldValue]] = {
        "networks": {"networks": ("other",), "other_network": "Tripadvisor", "start_with": "other"}
    }
    markdown = render_plan_markdown(plan, answers)
    assert "We are on Tripadvisor." in markdown and "We start with Tripadvisor and" in markdown
    assert "Another network" not in markdown and "We also use" not in markdown


@pytest.mark.parametrize("language", LANGUAGES)
def test_other_without_a_name_is_left_out_and_a_named_one_joins_the_list(language: str) -> None:
    plan = load_bundle(language).plan
    other_label = plan.section("networks").field("networks").options[-1].label
    unnamed = render_plan_markdown(plan, {"networks": {"networks": ("instagram", "other")}})
    assert other_label not in unnamed and "Instagram" in unnamed
    named: dict[str, dict[str, FieldValue]] = {
        "networks": {"networks": ("instagram", "other"), "other_network": "Tripadvisor"}
    }
    assert f"Instagram {plan.text('list_and')} Tripadvisor" in render_plan_markdown(plan, named)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_option_label_garbles_its_sentence_with_a_colon(language: str) -> None:
    plan = load_bundle(language).plan
    for section in plan.sections:
        for item in section.fields:
            if item.kind in ("choice", "choices"):
                assert all(":" not in option.label for option in section.options_of(item)), (section.id, item.id)


def test_free_text_reads_well_whatever_is_typed() -> None:
    """The sentences measured on main: "When they are away, nobody really, it just waits stands in."."""
    plan = load_bundle("en").plan
    answers = {
        "resources": {"owner": "me", "hours": "1_2", "stand_in": "nobody really, it just waits"},
        "reason": {"so_that": "more bookings!", "works_when": "ten a month say so."},
        "policy": {"own_rules": "no photos of guests without asking\nWe tidy up first."},
    }
    markdown = render_plan_markdown(plan, answers, message_mention)
    assert "Who stands in when they are away: nobody really, it just waits." in markdown
    assert "What social media should do for us: more bookings! How we'll know it works: ten a month say so." in markdown
    assert "1. No photos of guests without asking.\n2. We tidy up first." in markdown
    assert "every week, every week" not in markdown and "a week a week" not in markdown


@pytest.mark.parametrize(
    ("own", "expected"),
    [
        ("1. Be nice\n- answer fast\n2) no memes", ["Be nice.", "Answer fast.", "No memes."]),  # a list
        ("1.5 hours a post at most\nno politics", ["1.5 hours a post at most.", "No politics."]),  # review
        ("24.12. suljettu\n- ei politiikkaa", ["24.12. suljettu.", "- ei politiikkaa."]),  # not every line
    ],
)
def test_own_rules_lose_their_list_marks_only_when_typed_as_a_list(own: str, expected: list[str]) -> None:
    """Probe: own rules typed as a list were numbered twice ("2. 1\\. Be nice"); review: a rule that
    begins with a number ("1.5 hours…") must keep it."""
    plan = load_bundle("en").plan
    markdown = render_plan_markdown(plan, {"policy": {"own_rules": own}})
    numbered = [line for line in markdown.splitlines() if line[:3] in {f"{n}. " for n in range(1, 10)}]
    assert numbered == [f"{n}. {markdown_text(sentence)}" for n, sentence in enumerate(expected, start=1)]


def test_house_rules_need_a_rule_ticked_or_one_of_ones_own() -> None:
    policy = load_bundle("en").plan.section("policy")
    assert check_section(policy, {}).errors == {"rules": ("error_required", {})}  # review: nothing at all
    assert check_section(policy, {"own_rules": "Be nice"}).errors == {}
