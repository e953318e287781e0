"""The one kind of error a user sees: a single line naming the problem and the fix."""


class UserError(Exception):
    """Bad input or an unusable environment. The message is shown as is, without a traceback."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code
