"""Synthetic demo data: enterprises spread over the real clusters, and the demo organisations
and logins that `make run` sets up. Everything it creates is flagged `is_demo`."""
