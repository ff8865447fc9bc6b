"""The log: one line for a refused request, a traceback only for server errors."""

from __future__ import annotations

import logging
import sys

from backend.common.logging import ClientErrorsWithoutTraceback


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionError("refused")
    except PermissionError:
        info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), info)
    record.status_code = status
    return record


def test_a_refused_request_logs_one_line_without_its_traceback():
    record = _record(403)
    assert ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is None


def test_a_server_error_keeps_its_traceback():
    record = _record(500)
    assert ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is not None
