"""Serving a patient's uploaded report. The caller has checked access and written the access log first."""

from django.http import FileResponse

from consultations.models import Upload


def download_name(upload: Upload) -> str:
    """A name that says nothing about the patient: their own file name ("Smith lumbar MRI.pdf") would end up in
    download folders, recent-file lists and browser histories. The token's start ties it to the upload's row."""
    return f"report-{upload.token.hex[:8]}{upload.extension}"


def file_response(upload: Upload) -> FileResponse:
    """The stored file as a download with the type we found in its content, never guessed, cached or sniffed.

    Raises FileNotFoundError if the stored file is missing, which is our fault, not the user's.
    """
    response = FileResponse(
        upload.file.storage.open(upload.file.name, "rb"),
        as_attachment=True,
        filename=download_name(upload),
        content_type=upload.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    # Should a browser display it anyway, it runs nothing and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
