"""The RouterOS API edge: health polling, kicking sessions, pushing hotspot files."""
