"""The one kind of error a user sees: a single line naming the problem and the fix."""


class UserError(Exception):
    """Bad input or an unusable environment. The message is shown as is, without a traceback."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def no_credentials() -> UserError:
    return UserError("no AWS credentials found: set a profile (--profile / AWS_PROFILE) or AWS_ACCESS_KEY_ID")


def stream_not_found(stream: str, where: str) -> UserError:
    return UserError(
        f"stream {stream!r} not found at {where}: "
        "create it with `ansible-playbook setup.yml` (or pick another with --stream)"
    )
