import logging

from django.test import SimpleTestCase

from clinic.log_filters import MaskPatientLinks


class PatientLinkLoggingTests(SimpleTestCase):
    def test_patient_links_never_reach_the_log(self) -> None:
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

    def test_staff_enrolment_links_never_reach_the_log(self) -> None:
        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Gone: %s", ("/accounts/enrol/Zk3-secret_x/",), None
        )

        assert MaskPatientLinks().filter(record)
        assert record.getMessage() == "Gone: /accounts/enrol/[link]/"

    def test_every_django_log_line_goes_through_the_filter(self) -> None:
        def masked(handler: logging.Handler) -> bool:
            return any(isinstance(f, MaskPatientLinks) for f in handler.filters)

        def ours(logger: logging.Logger) -> list[logging.Handler]:
            # pytest adds capturing handlers of its own while tests run.
            return [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]

        assert ours(logging.getLogger()) and all(masked(h) for h in ours(logging.getLogger()))
        for name in ("django", "django.server"):
            logger = logging.getLogger(name)
            assert not logger.propagate, name
            assert ours(logger) and all(masked(h) for h in ours(logger)), name
