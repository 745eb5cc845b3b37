"""The configured price table: USD per unit of an asset, from `[policy.custody.prices]` and an
optional price file (CSV or TOML). No live feed: the operator states the prices they stand by.

Asset symbols compare upper-case (`btc` and `BTC` are one asset); a price is a non-negative
decimal number. Every problem raises ValueError naming the asset and, for a file, the file
and line, so the configuration error says where to look.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

CSV_PRICE_COLUMNS = ("usd", "price_usd", "price")


def asset_symbol(value: str) -> str:
    """How a price table and a balance name the same asset."""
    return value.strip().upper()


def price(value: Any, asset: str, where: str = "") -> Decimal:
    """One price as a Decimal; a bool, a non-number, NaN, infinity or a negative is refused."""
    at = f"{where}: " if where else ""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{at}{asset}: {value!r} is not a number (USD per {asset})")
    try:
        # str() first: a TOML float becomes the decimal it was written as, not its binary value.
        number = Decimal(str(value).strip().replace("_", ""))
    except InvalidOperation:
        raise ValueError(f"{at}{asset}: {value!r} is not a number (USD per {asset})") from None
    if not number.is_finite():
        raise ValueError(f"{at}{asset}: {value!r} is not a finite number")
    if number < 0:
        raise ValueError(f"{at}{asset}: {value!r} is negative; a price is USD per unit, 0 or more")
    return number


def price_table(prices: Mapping[str, Any], where: str = "") -> dict[str, Decimal]:
    """Validated prices by upper-case symbol; the same asset written twice is refused."""
    table: dict[str, Decimal] = {}
    for name, value in prices.items():
        symbol = asset_symbol(str(name))
        if not symbol:
            raise ValueError(f"{where + ': ' if where else ''}an empty asset name")
        if symbol in table:
            raise ValueError(f"{where + ': ' if where else ''}{symbol}: listed twice")
        table[symbol] = price(value, symbol, where)
    return table


def read_price_file(path: Path) -> dict[str, Decimal]:
    """A price file: TOML (`BTC = 97000`, optionally under a `[prices]` table) or CSV with a
    header row naming an `asset` column and a `usd` (or `price_usd`, `price`) column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"price file {path} not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"price file {path} cannot be read ({type(error).__name__})") from None
    if path.suffix.lower() == ".toml":
        return _toml_prices(text, path)
    if path.suffix.lower() == ".csv":
        return _csv_prices(text, path)
    raise ValueError(f"price file {path}: expected a .csv or .toml file")


def _toml_prices(text: str, path: Path) -> dict[str, Decimal]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"price file {path}: not valid TOML ({error})") from None
    table = data.get("prices", data) if set(data) <= {"prices"} else data
    if not isinstance(table, dict):
        raise ValueError(f"price file {path}: expected asset = price pairs")
    nested = [name for name, value in table.items() if isinstance(value, dict)]
    if nested:
        raise ValueError(f"price file {path}: {nested[0]}: expected a number, got a table")
    return price_table(table, f"price file {path}")


def _csv_prices(text: str, path: Path) -> dict[str, Decimal]:
    reader = csv.DictReader(text.splitlines())
    columns = {name.strip().lower(): name for name in reader.fieldnames or []}
    price_column = next((columns[name] for name in CSV_PRICE_COLUMNS if name in columns), None)
    if "asset" not in columns or price_column is None:
        raise ValueError(
            f"price file {path}: expected a header row with columns asset and usd, got "
            f"{', '.join(reader.fieldnames or []) or 'nothing'}"
        )
    table: dict[str, Decimal] = {}
    for row in reader:
        where = f"price file {path} line {reader.line_num}"
        symbol = asset_symbol(row.get(columns["asset"]) or "")
        if not symbol:
            continue  # a blank line or a row without an asset
        if symbol in table:
            raise ValueError(f"{where}: {symbol}: listed twice")
        table[symbol] = price(row.get(price_column) or "", symbol, where)
    return table
