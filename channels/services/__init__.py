"""Channel services: dispatch and enqueue, send, caps, rate limits, suppression, the sweeper."""
