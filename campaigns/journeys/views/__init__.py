"""Console pages of journeys."""
