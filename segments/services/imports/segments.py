"""The imported (static) segment an import defines: found or created when the job starts, settled when it ends."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.db import transaction
from django.db.models import Count

from engage import clock
from segments.models import Endpoint, ImportedMember, ImportJob, Segment, SegmentVersion


def default_segment_name(source: str) -> str:
    """Pinpoint's default: the file name without its extensions (or the last part of an S3 prefix)."""
    name = PurePosixPath(source.rstrip("/").removeprefix("s3://")).name or source
    for suffix in (".gz", ".csv", ".json", ".jsonl", ".ndjson", ".txt"):
        name = name.removesuffix(suffix)
    return name[:255] or "Imported segment"


@transaction.atomic
def import_segment_for(*, job: ImportJob) -> Segment | None:
    """The IMPORT segment the job fills: the one it names, else the newest of its name, else a new one.

    Reusing the segment of the same name is what makes a re-import idempotent: the same file gives the same
    segment with the same members, not a second copy.
    """
    if job.segment_id:
        return Segment.objects.for_tenant(job.tenant).filter(pk=job.segment_id, kind=Segment.Kind.IMPORT).first()
    if not job.define_segment:
        return None
    name = job.segment_name or default_segment_name(job.source)
    segment = Segment.objects.for_tenant(job.tenant).filter(kind=Segment.Kind.IMPORT, name=name).order_by("-id").first()
    if segment is None:
        segment = Segment.objects.create(
            tenant=job.tenant, name=name, kind=Segment.Kind.IMPORT, import_format=job.format, import_source=job.source
        )
        SegmentVersion.objects.create(segment=segment, version=1, definition={}, created_at=clock.now())
    return segment


@transaction.atomic
def import_segment_finish(*, segment: Segment, job: ImportJob) -> Segment:
    """Drop the members this import did not confirm, then record the segment's size and channel counts."""
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    removed = ImportedMember.objects.filter(segment=segment).exclude(import_job=job.pk).delete()[0]
    members = Endpoint.objects.filter(pk__in=ImportedMember.objects.filter(segment=segment).values("endpoint_id"))
    counts = dict(members.values_list("channel_type").annotate(n=Count("id")).values_list("channel_type", "n"))
    if segment.import_size and (removed or sum(counts.values()) != segment.import_size):
        # New members make a new version (campaigns record the version they sent to); the same file does not.
        segment.version += 1
        SegmentVersion.objects.create(segment=segment, version=segment.version, definition={}, created_at=clock.now())
    segment.import_size = sum(counts.values())
    segment.channel_counts = counts
    segment.import_format = job.format
    segment.import_source = job.source
    segment.save()
    return segment
