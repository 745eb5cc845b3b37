"""The configuration file and its sections, validated with pydantic: runtime settings, the
policy the derived views apply, notification and queue sections, dashboard access."""
