"""Refusals the domain and the service layer raise; adapters map each to the contract's error code."""


class HallError(Exception):
    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(HallError):
    code = "invalid"


class Unauthorized(HallError):
    code = "unauthorized"


class Forbidden(HallError):
    code = "forbidden"


class NotFound(HallError):
    code = "not_found"


class Conflict(HallError):
    code = "conflict"


class QueueEmpty(HallError):
    code = "queue_empty"


class Unavailable(HallError):
    code = "unavailable"


class Throttled(HallError):
    """Too many attempts; `retry_after` seconds until the next one is accepted."""
    code = "unavailable"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
