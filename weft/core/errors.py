"""The one error a business rule raises to refuse a request: services raise it (or a subclass),
the API answers it as `{"code", "message", "details"}` with its status. Kept free of imports so
any app's services can use it without importing the API."""


class ApiError(Exception):
    """A business error with a stable code and a message for people (in the active language)."""

    def __init__(self, status: int, code: str, message: str, details=None):
        self.status, self.code, self.message, self.details = status, code, message, details
        super().__init__(message)
