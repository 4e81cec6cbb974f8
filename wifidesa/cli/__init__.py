"""The `wifidesa` command line."""
