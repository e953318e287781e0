"""The wire: request bytes to validated params and results/errors to response bytes, for every protocol the
endpoint serves, all driven by botocore's service models.

    json       application/x-amz-json-1.0/1.1  Kinesis, Cognito Identity, KMS, CloudWatch
    cbor       application/x-amz-cbor-1.1      Kinesis (the Java SDK's default)
    query      form in, text/xml out           STS, IAM, CloudWatch
    rpcv2cbor  application/cbor                CloudWatch (botocore's default for it)

Converters and checks are built once per shape and cached; decoding gives AWS's SerializationException
messages, `validate` its ValidationException (ValidationError for services of query heritage) messages.
"""

from functools import cache
from typing import Any

from localaws.errors import AwsError
from localaws.wire import constraints, document, query
from localaws.wire.codec import encode_error, encode_response
from localaws.wire.document import parse_json_once
from localaws.wire.models import find_operation, java_package, operation_model, validation_code

PROTOCOLS = ("json", "cbor", "query", "rpcv2cbor")

__all__ = [
    "PROTOCOLS",
    "decode_request",
    "encode_error",
    "encode_response",
    "find_operation",
    "operation_model",
    "parse_json_once",
    "validate",
]


@cache
def _document_compiler(service: str, protocol: str) -> document.Compiler:
    return document.Compiler(protocol)


@cache
def _query_compiler(service: str) -> query.Compiler:
    return query.Compiler(validation_code(service))


@cache
def _constraint_compiler(service: str) -> constraints.Compiler:
    return constraints.Compiler(java_package(service))


def decode_request(
    service: str,
    operation: str,
    protocol: str,
    body: bytes | dict[str, list[str]],
    parsed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The request's params, typed per the operation's input shape (see module doc); SerializationException with
    AWS's message for a body that does not parse or a member of the wrong type. KeyError: unknown operation.
    `parsed`: the JSON document of `body` when the caller already has it (parse_json_once), read only once."""
    shape = operation_model(service, operation).input_shape
    if protocol == "query":
        if not isinstance(body, dict):
            raise ValueError("the query protocol takes the parsed form")
        if shape is None:
            return {}
        return _query_compiler(service).converter(shape)(query.form_tree(body), "")
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise ValueError(f"the {protocol} protocol takes the raw body")
    raw = bytes(body)
    if protocol == "json":
        if parsed is None:
            parsed = document.parse_json(raw)
    elif protocol == "rpcv2cbor" and not raw:
        parsed = {}  # Smithy's RPC v2: an empty body is an empty input
    else:
        parsed = document.parse_cbor(raw)
    if shape is None:
        return {}
    return _document_compiler(service, protocol).converter(shape)(parsed)


def validate(service: str, operation: str, params: dict[str, Any]) -> None:
    """Checks `params` against the model's constraints; AwsError with AWS's validation message otherwise."""
    shape = operation_model(service, operation).input_shape
    if shape is None:
        return
    check = _constraint_compiler(service).check(shape)
    if check is None:
        return
    errors: constraints.Errors = []
    check(params, "", errors)
    if errors:
        raise AwsError(validation_code(service), constraints.message(errors))
