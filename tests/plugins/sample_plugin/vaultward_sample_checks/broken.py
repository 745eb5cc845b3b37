"""A plugin that fails to import: Vaultward must report it and go on."""

raise ImportError("vaultward_sample_checks.broken needs a library that is not installed")
