"""The "Writing a check" guide as a plugin author follows it: Vaultward installed from its wheel
into a fresh virtual environment at the lock's versions (nothing from this checkout on the
path), then `checks new`, pytest, the guide's own check, and `checks test` over a records file
and over an empty store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fresh_venv import FreshVenv

ROOT = Path(__file__).parents[1]
GUIDE = ROOT / "docs" / "writing-a-check.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(), re.S)


def rows(output: str, check_id: str) -> dict[str, str]:
    """{resource: status} from the table `checks test` prints."""
    found = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│┃ ").split("│")]
        if len(cells) >= 3 and cells[0] == check_id:
            found[cells[1]] = cells[2]
    return found


@pytest.mark.slow
def test_the_guide_end_to_end_in_a_fresh_virtual_environment(fresh_venv: FreshVenv, tmp_path):
    venv = fresh_venv
    where = venv.run(tmp_path, "python", "-c", "import vaultward; print(vaultward.__file__)")
    assert where.stdout.startswith(str(venv.site_packages())), where.stdout

    # 1. scaffold, and the scaffold's own test passes
    created = venv.run(tmp_path, "vaultward", "checks", "new", "signer_has_mfa", "--mitigation", "custody",
                       "--dir", "my_checks")  # fmt: skip
    assert created.returncode == 0, created.stderr
    scaffold = venv.run(tmp_path, "pytest", "-q", "-p", "no:cacheprovider", "my_checks")
    assert scaffold.returncode == 0 and "1 passed" in scaffold.stdout, scaffold.stdout

    # 2-3. the guide's check and test replace the scaffold and pass
    check, test = blocks("python")[:2]
    (tmp_path / "my_checks" / "signer_has_mfa.py").write_text(check)
    (tmp_path / "my_checks" / "test_signer_has_mfa.py").write_text(test)
    tested = venv.run(tmp_path, "pytest", "-q", "-p", "no:cacheprovider", "my_checks")
    assert tested.returncode == 0 and "1 passed" in tested.stdout, tested.stdout

    # 4. checks test over the guide's records file, under the guide's vaultward.toml
    (tmp_path / "r.json").write_text(blocks("json")[0])
    (tmp_path / "vaultward.toml").write_text(blocks("toml")[0])
    tried = venv.run(
        tmp_path, "vaultward", "checks", "test", "my_checks/signer_has_mfa.py", "--records", "r.json"
    )
    assert tried.returncode == 0, tried.stderr
    assert rows(tried.stdout, "custody.signer_has_mfa") == {
        "safe:eth:0x1#0xa": "pass",
        "safe:eth:0x1#0xb": "fail",
        "safe:eth:0x1#0xc": "unknown",
    }

    # ... and over the latest facts of a store that has none: unknown, never a pass (a store
    # that does not exist is not created by reading it: `db upgrade` makes an empty one)
    store = {"VAULTWARD_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    absent = venv.run(tmp_path, "vaultward", "checks", "test", "my_checks/signer_has_mfa.py", **store)
    assert absent.returncode == 3 and absent.stderr.startswith(
        f"no store at {store['VAULTWARD_DATABASE_URL']}"
    )
    assert venv.run(tmp_path, "vaultward", "db", "upgrade", **store).returncode == 0
    empty = venv.run(tmp_path, "vaultward", "checks", "test", "my_checks/signer_has_mfa.py", **store)
    assert empty.returncode == 0, empty.stderr
    assert rows(empty.stdout, "custody.signer_has_mfa") == {"(no data)": "unknown"}
