"""One module per area; each registers its operations with `engage.pinpoint.registry.operation`."""
