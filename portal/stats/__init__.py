"""Statistics pages and their pieces (charts drawn on the server)."""
