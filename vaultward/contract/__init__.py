"""What checks, collectors and plugins build on: the SDK (check and collector decorators,
`CheckContext`), the shared vocabulary (mitigations, severities, statuses), the typed records
by domain, redaction of secrets, the retry wait shared by every outbound call, and the
testing helpers for check authors. Imports nothing else of the core at module level."""
