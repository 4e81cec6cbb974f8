"""Usage: accounting, fair-use quotas, enforcement mid-session and the live sessions."""
