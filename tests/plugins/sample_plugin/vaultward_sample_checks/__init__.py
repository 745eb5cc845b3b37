"""Sample Vaultward check plugin."""
