"""Message templates: one per channel, versioned, rendered with Pinpoint-compatible Handlebars."""
