from segments.models.endpoint import AttributeName, ChannelType, Endpoint
from segments.models.jobs import ExportJob, ImportFailure, ImportJob, JobStatus
from segments.models.segment import AudienceGuard, ImportedMember, Segment, SegmentVersion
from segments.models.suppression import SuppressedAddress

__all__ = [
    "AttributeName",
    "AudienceGuard",
    "ChannelType",
    "Endpoint",
    "ExportJob",
    "ImportFailure",
    "ImportJob",
    "ImportedMember",
    "JobStatus",
    "Segment",
    "SegmentVersion",
    "SuppressedAddress",
]
