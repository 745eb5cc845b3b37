"""Alerts between weekly reports: conditions judged after each evaluation, one alert state per
condition, notices to Slack, webhooks and e-mail."""
