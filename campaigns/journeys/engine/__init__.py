"""The journey engine: entries, the advancer, activities, engagement."""
