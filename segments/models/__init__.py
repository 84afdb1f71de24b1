from segments.models.endpoint import AttributeName, ChannelType, Endpoint
from segments.models.jobs import ExportJob, ImportFailure, ImportJob, JobStatus
from segments.models.segment import AudienceGuard, ImportedMember, Segment, SegmentVersion
from segments.models.suppression import (
    BounceRecord,
    ConsentPolicy,
    DeliverabilityPolicy,
    SuppressedAddress,
    SuppressionChannel,
)

__all__ = [
    "AttributeName",
    "AudienceGuard",
    "BounceRecord",
    "ChannelType",
    "ConsentPolicy",
    "DeliverabilityPolicy",
    "Endpoint",
    "ExportJob",
    "ImportFailure",
    "ImportJob",
    "ImportedMember",
    "JobStatus",
    "Segment",
    "SegmentVersion",
    "SuppressedAddress",
    "SuppressionChannel",
]
