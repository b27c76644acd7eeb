"""A throwaway PostgreSQL server for the tests: ``initdb`` into a temporary directory, listening on a
Unix socket there only (no TCP port), stopped and removed at the end. As root, the server runs as the
``postgres`` user, since PostgreSQL refuses to run as root."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from bot.store.postgres import PostgresStore

HOW_TO_RUN = (
    "no PostgreSQL server found (initdb, pg_ctl): install it (Debian: apt-get install postgresql) or put its"
    " bin directory in COACH_TEST_POSTGRES_BIN; .ci/run runs these tests"
)


def server_bin() -> Path | None:
    """The directory of ``initdb`` and ``pg_ctl``: COACH_TEST_POSTGRES_BIN, Debian's newest, or PATH's."""
    configured = os.environ.get("COACH_TEST_POSTGRES_BIN")
    candidates = [configured] if configured else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("initdb")
    if not configured and on_path:
        candidates.append(str(Path(on_path).parent))
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


class PostgresServer:
    """One server per test process; each test gets a database of its own (``new_database``)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="coach-pg-"))
        self.data = self.folder / "data"
        self.owner = "postgres" if os.geteuid() == 0 else None
        self._numbers = itertools.count(1)
        self._migrated: str | None = None
        if self.owner is not None:
            user = pwd.getpwnam(self.owner)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--locale=C", "-E", "UTF8")
        options = f"-c listen_addresses='' -k {self.folder} -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self.owner is not None:
            command = ["runuser", "-u", self.owner, "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.folder)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.folder}"

    def new_database(self, migrated: bool = True) -> str:
        """A database of its own for a test, with every migration applied: a copy of one migrated once
        (``create database … template``), as applying them anew took a third of a second a test.
        ``migrated=False``: an empty one (what ``pg_restore`` fills)."""
        if not migrated:
            return self.url(self._create(f"coach_{os.getpid()}_{next(self._numbers)}", "template0"))
        if self._migrated is None:
            self._migrated = self._create(f"coach_{os.getpid()}_migrated", "template0")
            PostgresStore(self.url(self._migrated)).close()
        return self.url(self._create(f"coach_{os.getpid()}_{next(self._numbers)}", self._migrated))

    def _create(self, name: str, template: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"create database {name} template {template}".encode())
        return name

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
