"""Static files storage: hashed names once collectstatic has run, plain names before it."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # Tests and `runserver` serve from the finders without a manifest; fall back to the plain name.
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not in the manifest and not collected into STATIC_ROOT either
            return name
