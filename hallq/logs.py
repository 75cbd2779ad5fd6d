"""The server's log: one record, one line. Whatever a client sent (a path with %0a, a username with a
control character) is escaped in the message, and the continuation lines of a traceback are indented, so
no line of the log can start with text a client chose (docs/security.md "Bad input, headers and logs")."""
from __future__ import annotations

import logging

from server.domain.text import for_log

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OneLinePerRecord(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        record.message = for_log(record.message)
        return super().formatMessage(record)

    def formatException(self, ei) -> str:  # noqa: N802
        return _indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return _indented(super().formatStack(stack_info))


def _indented(text: str) -> str:
    return "\n".join("    " + for_log(line) for line in text.splitlines())


def configure(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(OneLinePerRecord(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
