"""Console pages of channels, one module per resource."""
