"""REST API for campaigns."""
