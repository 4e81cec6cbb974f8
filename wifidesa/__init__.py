"""wifidesa core: settings, database, models and the domain services of free village Wi-Fi."""

__version__ = "0.1.0"
