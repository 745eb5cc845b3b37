"""No credential value reaches the store, the logs or the CLI output.

Known secret values are put where a careless implementation would leak them: the AWS
credentials the config names by environment variable, a role's ExternalId, and a failing
scope whose error passes through the logs. Then every output is searched for them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlmodel import SQLModel

from demo.organisation import seed_exact_organisation
from vaultward.store.db import make_engine

VAULTWARD = str(Path(sys.executable).parent / "vaultward")
SECRETS = {
    "VW_TEST_AWS_KEY_ID": "AKIAVWTESTKEY4242XYZ",
    "VW_TEST_AWS_SECRET": "vwTestSecret/+K7MDENGbPxRfiCYzzSECRET99",
    "VW_TEST_EXTERNAL_ID": "external-id-that-is-secret-1234",
}


def dump_store(url: str) -> str:
    engine = make_engine(url)
    rows = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(text(f"SELECT * FROM {table.name}")):  # noqa: S608
                rows.append(json.dumps([str(value) for value in row]))
    engine.dispose()
    return "\n".join(rows)


def test_no_secret_in_store_logs_or_output(tmp_path, database_url, moto_endpoint):
    org = seed_exact_organisation(moto_endpoint)
    prod, corp = org.accounts["production"], org.accounts["corporate"]
    config = tmp_path / "vaultward.toml"
    config.write_text(
        f"""
[aws]
endpoint_url = "{moto_endpoint}"
max_attempts = 1
[[aws.accounts]]
role_arn = "{org.role_arn(prod)}"
external_id_env = "VW_TEST_EXTERNAL_ID"
[[aws.accounts]]
role_arn = "{org.role_arn(corp)}"
external_id_env = "VW_TEST_MISSING_EXTERNAL_ID"
[sources.aws_iam]
credentials_env = {{ access_key_id = "VW_TEST_AWS_KEY_ID", secret_access_key = "VW_TEST_AWS_SECRET" }}
[sources.aws_network]
credentials_env = {{ access_key_id = "VW_TEST_AWS_KEY_ID", secret_access_key = "VW_TEST_AWS_SECRET" }}
[sources.aws_custody]
enabled = false
"""
    )
    env = {**os.environ, **SECRETS, "VAULTWARD_DATABASE_URL": database_url}
    env.pop("VAULTWARD_CONFIG", None)
    outputs = []
    for command in (["collect"], ["evaluate"], ["status"]):
        result = subprocess.run(
            [VAULTWARD, "--verbose", "--config", str(config), *command],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=180,
        )
        outputs.append(result.stdout + result.stderr)
        assert result.returncode == 0, result.stdout + result.stderr

    collected = outputs[0]
    # the production account collected with the named credentials; the corporate one failed
    assert f"aws_iam aws:{prod}: ok" in collected
    assert f"VW_TEST_MISSING_EXTERNAL_ID (the ExternalId for {org.role_arn(corp)}) is not set" in collected

    everything = "\n".join(outputs) + dump_store(database_url)
    if database_url.startswith("sqlite"):
        everything += Path(database_url.split("///", 1)[1]).read_bytes().decode("utf-8", "replace")
    for name, secret in SECRETS.items():
        assert secret not in everything, f"the value of {name} leaked"
