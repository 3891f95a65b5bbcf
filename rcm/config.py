"""Where the product keeps its things: data directory, database URL, drop folders, rules, clearinghouses.

Read once from the environment (``RCM_DATA_DIR``, ``RCM_DATABASE_URL``, ``RCM_RULES_DIR``) by ``get_settings()``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from rcm.errors import ConfigError

__all__ = [
    "DEFAULT_RULES_DIR",
    "Settings",
    "get_settings",
    "load_settings",
    "reset_settings",
]

# The repository's rules/ folder, found next to the package (src layout not used: rcm/ sits at the repo root).
DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
CLEARINGHOUSES_FILE = "clearinghouses.yaml"


class Settings(BaseModel):
    """Resolved settings; paths are absolute."""

    model_config = ConfigDict(frozen=True)

    data_dir: Path
    database_url: str
    outbound_dir: Path
    inbound_dir: Path
    archive_dir: Path
    rules_dir: Path
    # Clearinghouse name -> its settings as written in rules/clearinghouses.yaml (empty when the file is absent).
    clearinghouses: dict[str, dict[str, Any]] = {}

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def ensure_dirs(self) -> None:
        """Create the data directory and the drop folders if they do not exist yet."""
        for folder in (self.data_dir, self.outbound_dir, self.inbound_dir, self.archive_dir):
            folder.mkdir(parents=True, exist_ok=True)


def _load_clearinghouses(rules_dir: Path) -> dict[str, dict[str, Any]]:
    path = rules_dir / CLEARINGHOUSES_FILE
    if not path.is_file():
        return {}
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read clearinghouse settings ({type(exc).__name__})") from exc
    if loaded is None:
        return {}
    if isinstance(loaded, Mapping) and isinstance(loaded.get("clearinghouses"), Mapping | list):
        loaded = loaded["clearinghouses"]
    result: dict[str, dict[str, Any]] = {}
    if isinstance(loaded, list):
        # A list of entries, each naming itself with `name`.
        for i, entry in enumerate(loaded, start=1):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
                raise ConfigError(f"{path}: entry {i} is not a mapping with a `name`")
            result[entry["name"]] = dict(entry)
    elif isinstance(loaded, Mapping):
        for name, entry in loaded.items():
            if not isinstance(entry, Mapping):
                raise ConfigError(f"{path}: clearinghouse {name!r} is not a mapping")
            result[str(name)] = {"name": str(name), **dict(entry)}
    else:
        raise ConfigError(f"{path}: expected a mapping of clearinghouses")
    return result


def load_settings(environ: Mapping[str, str] | None = None, *, cwd: Path | None = None) -> Settings:
    """Build settings from an environment mapping (``os.environ`` by default); no caching."""
    env = os.environ if environ is None else environ
    base = cwd or Path.cwd()
    data_dir = Path(env.get("RCM_DATA_DIR") or base / "var").expanduser()
    if not data_dir.is_absolute():
        data_dir = base / data_dir
    data_dir = data_dir.resolve()
    database_url = env.get("RCM_DATABASE_URL") or f"sqlite:///{data_dir / 'rcm.db'}"
    rules_dir = Path(env.get("RCM_RULES_DIR") or DEFAULT_RULES_DIR).expanduser()
    if not rules_dir.is_absolute():
        rules_dir = base / rules_dir
    rules_dir = rules_dir.resolve()
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        outbound_dir=data_dir / "outbound",
        inbound_dir=data_dir / "inbound",
        archive_dir=data_dir / "archive",
        rules_dir=rules_dir,
        clearinghouses=_load_clearinghouses(rules_dir),
    )


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return load_settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
