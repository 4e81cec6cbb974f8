"""Profiles (paket): speed, timeouts, quotas per period and what happens after the quota."""
