class Refused(Exception):
    """A business rule said no. `code` is stable for machines, `message` is for people (already
    translated into the active language); nothing was written."""

    def __init__(self, status: int, code: str, message: str, details=None):
        self.status, self.code, self.message, self.details = status, code, str(message), details
        super().__init__(self.message)
