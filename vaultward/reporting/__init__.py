"""The weekly report: its content from the read model, its files (HTML, PDF, CSV, JSON, OCSF),
their record in the store and their delivery to a folder, S3 and e-mail."""
