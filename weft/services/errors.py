from weft.core.errors import ApiError


class Refused(ApiError):
    """A business rule said no. `code` is stable for machines, `message` is for people (already
    translated into the active language); nothing was written."""

    def __init__(self, status: int, code: str, message: str, details=None):
        super().__init__(status, code, str(message), details)
