"""Configuration from the environment (and ``.env``), validated once at start-up."""

from __future__ import annotations

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"
DATABASE_URL_PREFIXES = ("sqlite:///", "postgresql://", "postgres://")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_DEFAULT
    slack_timeout: int = 10  # seconds to wait for one Web API call
    coach_db: str = "coach.db"  # the SQLite file, when COACH_DATABASE_URL is not set
    coach_database_url: str | None = None  # sqlite:///path or postgresql://user@host/db
    coach_tick_seconds: float = 60.0  # how often `coach run` looks for due check-ins and nudges
    coach_retention_days: int = 30  # member data of an uninstalled workspace is deleted after this
    coach_sender_silence_seconds: float = 30.0  # a sender silent this long is taken for dead: claims taken over
    coach_writer_wait_seconds: float = 10.0  # SQLite: a write waits this long for another writer, then 503

    @field_validator("coach_database_url")
    @classmethod
    def known_database(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(DATABASE_URL_PREFIXES):
            raise ValueError("must start with sqlite:/// (a file) or postgresql:// (a server)")
        return url

    @property
    def database_url(self) -> str:
        return self.coach_database_url or f"sqlite:///{self.coach_db}"

    @staticmethod
    def secret(value: SecretStr | None) -> str | None:
        return value.get_secret_value() if value is not None else None
