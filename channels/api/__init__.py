"""REST API of channels, one module per resource."""
