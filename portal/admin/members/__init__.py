"""Residents' pages and API."""
