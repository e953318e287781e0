"""CloudWatch's error codes (botocore's model: InvalidParameterValue, InvalidParameterCombination,
MissingParameter, InvalidNextToken), all 400 sender faults, with CloudWatch's message forms."""

import math
from typing import Any

from localaws.errors import AwsError


def invalid_value(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message)


def invalid_combination(message: str) -> AwsError:
    return AwsError("InvalidParameterCombination", message)


def missing_parameter(message: str) -> AwsError:
    return AwsError("MissingParameter", message)


def missing(parameter: str) -> AwsError:
    return missing_parameter(f"The parameter {parameter} is required.")


def invalid_next_token() -> AwsError:
    return AwsError("InvalidNextToken", "The service cannot process the request because the NextToken is invalid.")


def both_given(first: str, second: str) -> AwsError:
    return invalid_combination(
        f"The parameters {first} and {second} are mutually exclusive and you have specified both."
    )


def too_many(collection: str, limit: int) -> AwsError:
    return invalid_value(f"The collection {collection} must not have a size greater than {limit}.")


def show(value: Any) -> str:
    """A number as AWS prints it in messages (NaN, Infinity)."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return str(value)


def bad_value(value: Any, parameter: str) -> AwsError:
    return invalid_value(f"The value {show(value)} for parameter {parameter} is invalid.")


def required(params: dict[str, Any], name: str, where: str = "") -> Any:
    """A required member; the front door checks them against the model first, this keeps a direct caller safe."""
    value = params.get(name)
    if value is None or value == [] or value == "":
        raise missing(f"{where}{name}")
    return value
