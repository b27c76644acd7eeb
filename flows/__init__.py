"""The coaching domain: content, state machines, scoring. Pure Python; never imports ``bot``."""
