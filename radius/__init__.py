"""The RADIUS edge (pyrad): decode requests, ask the core, encode replies."""
