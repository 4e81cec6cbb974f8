"""Members: residents who log in with a username and password, and guest devices."""
