"""The floor the coach is measured against: a bare Bolt app doing the same user-visible work.

``/coach`` posts the first question to the member's DM; a click on an answer posts the next question
(or, after the last, a result) and then closes the clicked message with ``chat.update``: the next
question first, the best order a member can get. Both happen in lazy listeners after the ack, with
the coach's Bolt settings (``process_before_response=True``) and the coach's own Web API client
(slack_sdk's, a new connection per call), on a listener pool large enough that waiting on Slack is
never the bottleneck, served by waitress with the coach's 8 threads.

Run: python -m benchmarks.bare_app PORT SIGNING_SECRET API_URL [--listener-threads N]
"""

from __future__ import annotations

import argparse
import itertools
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress import serve

from bot.cli import give_sdk_loggers_a_level
from bot.slack.client import retry_handlers
from flows.content import QUESTION_IDS

SERVING_THREADS = 8  # as ``coach run --http``
RATINGS = ("ready", "partly", "not_yet")
_assessments = itertools.count(1)


def question_message(assessment_id: int, number: int) -> dict[str, Any]:
    """Question ``number`` (from 1) with its three answer buttons, block id ``answer:<assessment>:<question>``."""
    question_id = QUESTION_IDS[number - 1]
    text = f"*Question {number} of {len(QUESTION_IDS)}: {question_id}*"
    buttons = [
        {"type": "button", "text": {"type": "plain_text", "text": rating}, "action_id": f"answer:{rating}"}
        | {"value": f"{question_id}:{rating}"}
        for rating in RATINGS
    ]
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "actions", "block_id": f"answer:{assessment_id}:{question_id}", "elements": buttons},
        ],
    }


def first_question(body: dict[str, Any], client: WebClient) -> None:
    client.chat_postMessage(channel=f"D{body['user_id']}", **question_message(next(_assessments), 1))


def next_question(body: dict[str, Any], client: WebClient) -> None:
    action = body["actions"][0]
    _, assessment, question_id = action["block_id"].split(":")
    number = QUESTION_IDS.index(question_id) + 1
    channel = body["channel"]["id"]
    if number == len(QUESTION_IDS):
        client.chat_postMessage(channel=channel, text="Your social media readiness: done")
    else:
        client.chat_postMessage(channel=channel, **question_message(int(assessment), number + 1))
    closed = f"~{question_id}~ {action['value'].split(':')[1]}"
    client.chat_update(
        channel=channel,
        ts=body["container"]["message_ts"],
        text=closed,
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": closed}}],
    )


def acknowledge(ack: Ack) -> None:
    ack()


def create_app(signing_secret: str, api_url: str, listener_threads: int) -> App:
    client = WebClient(token="xoxb-bench", base_url=api_url, retry_handlers=retry_handlers())
    app = App(
        signing_secret=signing_secret,
        client=client,
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(max_workers=listener_threads),
    )
    app.command("/coach")(ack=acknowledge, lazy=[first_question])
    app.action(re.compile("^answer:"))(ack=acknowledge, lazy=[next_question])
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("port", type=int)
    parser.add_argument("signing_secret")
    parser.add_argument("api_url")
    parser.add_argument("--listener-threads", type=int, default=256, help="lazy listeners at once")
    args = parser.parse_args()
    give_sdk_loggers_a_level()  # as ``coach run`` does: the same client costs
    app = create_app(args.signing_secret, args.api_url, args.listener_threads)
    serve(SlackRequestHandler(app), host="127.0.0.1", port=args.port, threads=SERVING_THREADS, _quiet=True)


if __name__ == "__main__":
    main()
