"""The Pinpoint-compatible REST API: botocore's `pinpoint` wire protocol (SigV4, rest-json) over the apps' services.

A presentation layer only: it verifies the signature, routes by method and path (from botocore's own service
model), validates the body against the model's input shape, calls one operation function that translates to
the existing services and selectors, and shapes the answer by the model's output shape.
"""
