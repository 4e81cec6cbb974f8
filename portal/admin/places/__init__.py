"""Villages and their routers: pages and API."""
