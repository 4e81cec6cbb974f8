"""The router fleet: what each poll of a village router found, its health and outages,
availability the way connectivity SLAs count it, alerts and the router-task outbox."""
