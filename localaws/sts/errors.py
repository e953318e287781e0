"""STS's errors in its own words (query protocol: code, message, HTTP status)."""

from localaws.errors import AwsError

WEB_IDENTITY_DENIED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"


def validation(message: str) -> AwsError:
    # STS says ValidationError (IAM's and STS's query-protocol code), not the JSON services' ValidationException.
    return AwsError("ValidationError", message, 400)


def out_of_range(member: str, value: int, low: int, high: int) -> AwsError:
    """What AWS answers for a number outside the model's range (the front door's validator says the same)."""
    name = member[0].lower() + member[1:]
    bound = f"greater than or equal to {low}" if value < low else f"less than or equal to {high}"
    return validation(
        f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: Member must have "
        f"value {bound}"
    )


def access_denied(message: str) -> AwsError:
    return AwsError("AccessDenied", message, 403)


def not_authorized_to_assume(caller_arn: str, role_arn: str) -> AwsError:
    return access_denied(f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}")


def not_implemented(operation: str) -> AwsError:
    return AwsError("InvalidAction", f"The local endpoint does not implement sts:{operation}.", 400)
