import logging

from clinic.log_filters import MaskPatientLinks


def test_patient_links_never_reach_the_log() -> None:
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/my-consultation/IjAxYjI:1xV:abc/cancel/",),
        None,
    )

    assert MaskPatientLinks().filter(record)
    assert record.getMessage() == "Not Found: /my-consultation/[link]/cancel/"


def test_the_filter_is_on_the_handler_every_log_line_goes_through() -> None:
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    assert any(isinstance(f, MaskPatientLinks) for f in handler.filters)
    assert logging.getLogger("django.server").handlers[0] is handler
