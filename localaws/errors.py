"""The one error type services raise: an AWS error code, its message and HTTP status.

The front door turns it into the protocol's error shape: `{"__type": code, "message": ...}` for JSON and CBOR,
an `<ErrorResponse>` document for the query protocol (STS, IAM).
"""


class AwsError(Exception):
    """An error AWS would answer with. `sender_fault` False marks a server-side error (5xx, SDKs retry)."""

    def __init__(self, code: str, message: str | None = None, status: int = 400, *, sender_fault: bool = True):
        super().__init__(f"{code}: {message}" if message is not None else code)
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = sender_fault


def validation_error(message: str) -> AwsError:
    return AwsError("ValidationException", message)


def access_denied(message: str) -> AwsError:
    return AwsError("AccessDeniedException", message)
