"""Reads Prowler output files, oldest first, from a folder or an S3 prefix."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from collectors.http_api import ApiError

SUFFIXES = (".ocsf.json", ".json")


def read_files(options: Any) -> Iterator[tuple[str, str]]:
    """(name, text) of every output file, ordered by modification time."""
    if options.path is not None:
        yield from _read_folder(Path(options.path))
    else:
        yield from _read_s3(options.s3_uri, options.endpoint_url)


def _read_folder(folder: Path) -> Iterator[tuple[str, str]]:
    if not folder.is_dir():
        raise ApiError(f"prowler_import: {folder} is not a folder")
    files = sorted(
        (p for p in folder.iterdir() if p.name.endswith(SUFFIXES)), key=lambda p: p.stat().st_mtime
    )
    if not files:  # Prowler has not written here (yet): no evidence, not "no findings"
        raise ApiError(f"prowler_import: no Prowler output ({', '.join(SUFFIXES)}) in {folder}")
    for path in files:
        yield path.name, path.read_text(encoding="utf-8")


def _read_s3(uri: str, endpoint_url: str | None) -> Iterator[tuple[str, str]]:
    import boto3

    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    s3 = boto3.client("s3", endpoint_url=endpoint_url)
    objects = [
        item
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
        if item["Key"].endswith(SUFFIXES)
    ]
    if not objects:
        raise ApiError(f"prowler_import: no Prowler output ({', '.join(SUFFIXES)}) under {uri}")
    for item in sorted(objects, key=lambda o: o["LastModified"]):
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        yield f"s3://{bucket}/{item['Key']}", body.decode("utf-8")
