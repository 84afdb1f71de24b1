"""Event-stream export: every Event of a tenant, in Pinpoint's event-stream record shape, to S3, Kinesis,
Firehose or a signed webhook, at least once, from a cursor per destination."""
