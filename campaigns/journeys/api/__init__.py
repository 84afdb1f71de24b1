"""REST API of journeys."""
