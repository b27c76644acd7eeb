"""Everything that touches the outside world: Slack, SQLite, the terminal."""
