"""What a command reads before it runs, without click: the config file (loaded when first
asked for), the database path and today's date. `App` (bot/cli/app.py) adds the store,
the run lock and output to it; `foibot status` without click uses it as it is."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Config


class Settings:
    def __init__(self, config_path: str, db_path: str | None, as_json: bool, debug: bool = False):
        self.config_path, self.db_path, self.as_json = config_path, db_path, as_json
        self.debug = debug

    @cached_property
    def config(self) -> Config:
        from bot.config import load_config

        return load_config(self.config_path)

    def store_path(self) -> Path:
        return Path(self.db_path or self.config.db_path)

    def json_wanted(self, flag: bool) -> bool:
        return flag or self.as_json

    def today(self, as_of: dt.date | None) -> dt.date:
        from bot.dates import london_today

        return as_of or london_today()
