"""manage.py endpoints import --tenant ID FILE_OR_S3_URL [--format csv|json] [--define-segment NAME]
manage.py endpoints export --tenant ID OUT [--segment SEGMENT_ID]     (OUT: a local .jsonl.gz path or s3://...)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from engage.tenancy.management.cli import CLI_ACTOR, OperatorCommand, tenant_by_id
from segments.job_json import error_report_lines
from segments.management.progress import ProgressLine
from segments.models import ExportJob, ImportJob, JobStatus
from segments.services.exports import export_create, export_run
from segments.services.imports.create import import_create, import_segment_check
from segments.services.imports.runner import import_run


class Command(OperatorCommand):
    help = "Bulk import endpoints from a file or S3, or export them, in this process with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a CSV or newline-delimited JSON file (gzip'd or not), or s3://")
        imp.add_argument("--tenant", required=True, help="the tenant's 32-hex id")
        imp.add_argument("source", help="a local file, or s3://bucket/prefix (every file under it)")
        imp.add_argument("--format", choices=["csv", "json", "CSV", "JSON"], help="default: from the file name")
        imp.add_argument("--define-segment", metavar="NAME", help="also create (or refill) an imported segment")
        imp.add_argument(
            "--errors", metavar="PATH", help="where to write the error report (default: import-ID-errors.csv)"
        )
        self.add_json(imp)
        exp = sub.add_parser("export", help="export endpoints as gzip'd newline-delimited JSON")
        exp.add_argument("--tenant", required=True, help="the tenant's 32-hex id")
        exp.add_argument("out", help="a local path (endpoints.jsonl.gz) or s3://bucket/prefix")
        exp.add_argument("--segment", metavar="SEGMENT_ID", help="only an imported segment's endpoints")
        self.add_json(exp)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _import(self, options: dict[str, Any]) -> None:
        tenant = tenant_by_id(options["tenant"])
        source: str = options["source"]
        from_s3 = source.startswith("s3://")
        if not from_s3 and not Path(source).is_file():
            raise CommandError(f"{source} is not a file (give a local file or an s3://bucket/prefix URL)")
        name = options["define_segment"]
        job = import_create(
            tenant=tenant,
            by=CLI_ACTOR,
            format=options["format"] or "",
            s3_url=source if from_s3 else "",
            local_path="" if from_s3 else str(Path(source).resolve()),
            define_segment=bool(name),
            segment_name=name or "",
            enqueue=False,
        )
        bar = ProgressLine(self.stderr, noun="rows")

        def progress(job: ImportJob) -> None:
            fraction = job.processed_bytes / job.total_bytes if job.total_bytes else 0.0
            bar.draw(fraction=fraction, done=job.total_processed, failed=job.total_failures)

        done = import_run(
            tenant_id=tenant.pk,
            job_id=job.pk,
            local_path=None if from_s3 else str(Path(source).resolve()),
            on_progress=progress,
        )
        bar.finish()
        if done is None:
            raise CommandError(f"import {job.pk} is being run by another process")
        self._import_summary(options, done, bar.seconds)

    def _import_summary(self, options: dict[str, Any], job: ImportJob, seconds: float) -> None:
        report = ""
        if job.total_failures:
            report = str(Path(options["errors"] or f"import-{job.pk}-errors.csv").resolve())
            with open(report, "w", encoding="utf-8", newline="") as handle:
                for chunk in error_report_lines(job.failures.order_by("id").iterator()):
                    handle.write(chunk)
        rate = job.total_processed / seconds if seconds else 0
        console = f"{settings.PUBLIC_URL}/t/{job.tenant.public_id}/audience/imports/{job.pk}/"
        text = (
            f"Import {job.pk} {job.status.lower()}: {job.imported:,} of {job.total_processed:,} rows imported "
            f"in {seconds:.1f} s ({rate:,.0f} rows/s), {job.total_failures:,} failed."
        )
        if job.segment:
            text += f"\nSegment “{job.segment.name}” ({job.segment.public_id}): {job.segment.import_size:,} endpoints."
        if report:
            text += f"\nError report: {report}"
        if job.message:
            text += f"\n{job.message}"
        text += f"\nIn the console: {console}"
        data = {
            "job": job.pk,
            "status": job.status,
            "imported": job.imported,
            "processed": job.total_processed,
            "failed": job.total_failures,
            "seconds": round(seconds, 2),
            "error_report": report or None,
            "segment": job.segment.public_id if job.segment else None,
        }
        self.emit(options, data, text)
        if job.status == JobStatus.FAILED:
            raise CommandError(job.message or "the import failed; see the error report")

    def _export(self, options: dict[str, Any]) -> None:
        tenant = tenant_by_id(options["tenant"])
        out: str = options["out"]
        to_s3 = out.startswith("s3://")
        if not to_s3 and not Path(out).resolve().parent.is_dir():
            raise CommandError(f"the folder of {out} does not exist")
        segment = (
            import_segment_check(tenant=tenant, segment_id=options["segment"], dynamic_ok=True)
            if options["segment"]
            else None
        )
        job = export_create(
            tenant=tenant, by=CLI_ACTOR, segment=segment, s3_url_prefix=out if to_s3 else "", enqueue=False
        )
        bar = ProgressLine(self.stderr, noun="endpoints")

        def progress(job: ExportJob) -> None:
            fraction = job.total_processed / job.total_endpoints if job.total_endpoints else 1.0
            bar.draw(fraction=fraction, done=job.total_processed)

        done = export_run(tenant_id=tenant.pk, job_id=job.pk, out_path=None if to_s3 else out, on_progress=progress)
        bar.finish()
        if done is None:
            raise CommandError(f"export {job.pk} is being run by another process")
        if done.status == JobStatus.FAILED:
            raise CommandError(done.message)
        text = f"Exported {done.total_processed:,} endpoints in {bar.seconds:.1f} s to {done.output}"
        self.emit(options, {"job": done.pk, "endpoints": done.total_processed, "output": done.output}, text)
