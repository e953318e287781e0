"""botocore's service models, loaded once per process: operations, their shapes, and per-service wire facts."""

from functools import cache, lru_cache

import botocore.exceptions
import botocore.model
import botocore.session

# The query protocol's validation error code (STS, IAM, and CloudWatch by its query heritage); the JSON-native
# services answer ValidationException.
_QUERY_HERITAGE = ("query", "ec2")


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def service_model(service: str) -> botocore.model.ServiceModel:
    try:
        return _session().get_service_model(service)
    except botocore.exceptions.UnknownServiceError:
        raise KeyError(service) from None


@lru_cache(maxsize=1024)
def operation_model(service: str, operation: str) -> botocore.model.OperationModel:
    """The model of `operation`; KeyError when the service or the operation is unknown."""
    model = service_model(service)
    if operation not in model.operation_names:
        raise KeyError(f"{service}.{operation}")
    return model.operation_model(operation)


def find_operation(service: str, name: str) -> str | None:
    """`name` when it is exactly one of the service's operations (AWS matches case-sensitively), else None."""
    try:
        names = _operation_names(service)
    except KeyError:
        return None
    return name if name in names else None


@cache
def _operation_names(service: str) -> frozenset[str]:
    return frozenset(service_model(service).operation_names)


def validation_code(service: str) -> str:
    """The error code AWS gives a constraint violation: ValidationError for services born on the query
    protocol (their models' error shapes say so), ValidationException for the JSON-native ones."""
    model = service_model(service)
    protocols = model.metadata.get("protocols") or [model.protocol]
    return "ValidationError" if any(p in _QUERY_HERITAGE for p in protocols) else "ValidationException"


def java_package(service: str) -> str:
    """The Java package AWS's server-side classes live in, as its messages show them
    (com.amazonaws.kinesis.v20131202 for Kinesis)."""
    model = service_model(service)
    prefix = model.metadata.get("endpointPrefix", service)
    version = model.metadata.get("apiVersion", "").replace("-", "")
    return f"com.amazonaws.{prefix}.v{version}"


def member_label(name: str) -> str:
    """A member's name as AWS's validation messages spell it: its first letter lowered ('StreamName' ->
    'streamName')."""
    return name[:1].lower() + name[1:]
