"""Access: villagers' logins (portal decisions, one-time tokens, login rules), and their status."""
