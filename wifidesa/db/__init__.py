"""The database: engine and sessions, portable bulk writes, the models and their migrations."""
