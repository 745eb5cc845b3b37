"""Building blocks of the configuration's sections: the strict base model and schedules."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, model_validator

from vaultward.config.bounded import Bounded

INTERVAL = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$")
INTERVAL_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class Strict(BaseModel):
    """Unknown keys are refused, and numbers are finite (TOML has `inf` and `nan`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Schedule(Strict):
    """When a source runs: an interval (`"6h"`) or a five-field cron expression."""

    every: Annotated[str, Bounded(max_length=100)] | None = None
    cron: Annotated[str, Bounded(max_length=200)] | None = None
    timezone: Annotated[str, Bounded(max_length=100, min_length=1)] = "UTC"

    @model_validator(mode="after")
    def _one_of(self) -> Schedule:
        if (self.every is None) == (self.cron is None):
            raise ValueError("give exactly one of 'every' (like \"6h\") or 'cron' (like \"0 */6 * * *\")")
        try:
            ZoneInfo(self.timezone)
        # A folder of the zone database ("America") or an over-long name fails with OSError.
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f'timezone={self.timezone!r}: not an IANA time zone like "Europe/Zurich"'
            ) from None
        if self.every is not None:
            match = INTERVAL.match(self.every)
            if not match or int(match.group(1)) == 0:
                raise ValueError(
                    f'every={self.every!r}: expected a positive number and a unit s/m/h/d/w, like "6h"'
                )
        if self.cron is not None:
            try:
                CronTrigger.from_crontab(self.cron, timezone=self.timezone)
            except ValueError as error:
                raise ValueError(f"cron={self.cron!r}: {error}") from None
        return self

    def trigger(self):
        from apscheduler.triggers.interval import IntervalTrigger

        if self.cron is not None:
            return LocalTimeCronTrigger.from_crontab(self.cron, timezone=self.timezone)
        return IntervalTrigger(seconds=self.interval().total_seconds(), timezone=self.timezone)

    def interval(self) -> timedelta:
        """The longest expected time between two runs. For cron, the largest gap between
        firings over the coming 8 days, so a weekday schedule tolerates the weekend whatever
        day it is asked (and staleness never depends on when the evaluation runs)."""
        if self.every is not None:
            match = INTERVAL.match(self.every)
            assert match is not None
            return timedelta(seconds=int(match.group(1)) * INTERVAL_UNITS[match.group(2)])
        return _longest_cron_gap(self.cron or "", self.timezone)


class LocalTimeCronTrigger(CronTrigger):
    """A cron trigger that fires once per local time, like cron: when clocks go back, a time
    in the repeated hour (02:30 on the last Sunday of October in Europe) does not fire twice."""

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        fire = super().get_next_fire_time(previous_fire_time, now)
        if fire is not None and previous_fire_time is not None:
            local = previous_fire_time.astimezone(self.timezone)
            if fire.replace(tzinfo=None) == local.replace(tzinfo=None):  # the same wall-clock time
                return super().get_next_fire_time(fire, fire)
        return fire


@lru_cache(maxsize=64)
def _longest_cron_gap(cron: str, timezone: str) -> timedelta:
    trigger = LocalTimeCronTrigger.from_crontab(cron, timezone=timezone)
    # A fixed reference week keeps the answer the same whenever it is computed.
    start = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
    end = start + timedelta(days=8)
    longest = timedelta(0)
    previous = trigger.get_next_fire_time(None, start)
    while previous is not None and previous < end:
        following = trigger.get_next_fire_time(previous, previous + timedelta(seconds=1))
        if following is None:
            break
        longest = max(longest, following - previous)
        previous = following
    return longest or timedelta(days=7)


def _schedule(value: Any) -> Any:
    """Accept `"6h"` and `"cron: 0 7 * * 1"` as shorthands for the table form."""
    if isinstance(value, str):
        if value.startswith("cron:"):
            return {"cron": value.removeprefix("cron:").strip()}
        return {"every": value}
    return value
