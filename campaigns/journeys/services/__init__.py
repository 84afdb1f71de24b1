"""Writing journeys: definition checks, lifecycle, test copies, versions."""
