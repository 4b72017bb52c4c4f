"""The teaching page: the scenario catalogue, the page itself, its guarded server."""
