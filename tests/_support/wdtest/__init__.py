"""Test support for wifidesa (factories, servers, browsers); on the pytest pythonpath."""

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
