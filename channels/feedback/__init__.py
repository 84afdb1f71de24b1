"""Provider feedback: SNS-delivered SES events, inbound SMS and SMS delivery receipts."""
