"""JSON log lines for production (``LOG_FORMAT=json``).

Context goes in ``extra=``; log record ids, never a NIK, KK number, name or address.
"""

import json
import logging

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class KeyValueFormatter(logging.Formatter):
    """Console lines with the record's context appended as ``key=value`` pairs."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        stack = extras.pop("stack", None)
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        if stack:
            line += "\n" + str(stack).rstrip()
        return line


class ClientErrorsWithoutTraceback(logging.Filter):
    """Keep the one log line of a refused request (403, 404, 400) but not its traceback:
    a refusal is the product working, and a stack per refused click buries real errors.
    Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
