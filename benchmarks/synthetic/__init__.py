"""Synthetic organisations at any size: AWS accounts in a moto server, SaaS tenants in the
loopback fakes, and facts and evaluation history written straight to the store."""
