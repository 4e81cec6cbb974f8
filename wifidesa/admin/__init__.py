"""Admins: who they are, how they sign in, which villages they reach (scope), the audit log."""
