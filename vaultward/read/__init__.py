"""The one read model: plain functions over a Session returning typed rows (latest and
baseline evaluation, scores and deltas, findings pages, waivers, reports and alerts, runs
and freshness, trends, standards and the attack path). The dashboard, the weekly report,
`vaultward status` and alerts all read through it."""
