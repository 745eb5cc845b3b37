"""`python -m vaultward`: the same commands as the `vaultward` console script."""

from vaultward.cli.main import app

if __name__ == "__main__":
    app()
