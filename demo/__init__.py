"""The demo: a seeded AWS emulator, the real collectors, the dashboard (`vaultward demo`)."""
