"""Block Kit builders: pure functions from content and outcomes to ``slack_sdk.models`` blocks."""
