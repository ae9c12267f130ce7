"""Keep capabilities out of logs: a patient's signed link, and a staff enrolment link, work like passwords."""

import logging
import re

PATIENT_LINK = re.compile(r"(/my-consultation/|/accounts/enrol/)[^/\s\"']+")


class MaskPatientLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = PATIENT_LINK.sub(r"\1[link]", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
