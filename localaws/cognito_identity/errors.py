"""Cognito Identity's errors in its own words (JSON protocol: the front door writes {"__type", "message"})."""

from localaws.errors import AwsError


def pool_not_found(pool_id: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")


def identity_not_found(identity_id: str) -> AwsError:
    return AwsError("ResourceNotFoundException", f"Identity '{identity_id}' not found.")


def invalid_parameter(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def not_authorized(message: str) -> AwsError:
    return AwsError("NotAuthorizedException", message)


UNAUTHENTICATED_NOT_SUPPORTED = "Unauthenticated access is not supported for this identity pool."
UNSUPPORTED_PROVIDER = "Token is not from a supported provider of this identity pool."
CLASSIC_FLOW_DISABLED = "Basic (classic) flow is not enabled, please use enhanced flow."
INVALID_POOL_CONFIGURATION = "Invalid identity pool configuration. Check assigned IAM roles for this pool."


def invalid_pool_configuration() -> AwsError:
    return AwsError("InvalidIdentityPoolConfigurationException", INVALID_POOL_CONFIGURATION)


def not_implemented(operation: str) -> AwsError:
    return AwsError("UnknownOperationException", f"The local endpoint does not implement cognito-identity:{operation}.")
