"""Running it: the APScheduler worker, the Dramatiq task queue, job leases (one worker per
job), SMTP mail and the dashboard launcher."""
