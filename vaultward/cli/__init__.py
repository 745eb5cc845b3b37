"""The `vaultward` command line (typer) and its terminal output with secrets masked."""
