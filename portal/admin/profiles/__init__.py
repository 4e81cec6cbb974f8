"""Profiles' pages, API and form."""
