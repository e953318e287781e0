"""Responses and errors as bytes, per protocol."""

import json
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

import botocore.model

from localaws.errors import AwsError
from localaws.wire import cbor
from localaws.wire.models import operation_model, service_model
from localaws.wire.output import DocumentShaper, XmlShaper

CBOR_LEGACY = "application/x-amz-cbor-1.1"
CBOR_RPCV2 = "application/cbor"
XML = "text/xml"


def json_content_type(service: str) -> str:
    return f"application/x-amz-json-{service_model(service).metadata.get('jsonVersion', '1.0')}"


def content_type(service: str, protocol: str) -> str:
    if protocol == "json":
        return json_content_type(service)
    if protocol == "cbor":
        return CBOR_LEGACY
    if protocol == "rpcv2cbor":
        return CBOR_RPCV2
    if protocol == "query":
        return XML
    raise ValueError(f"unknown protocol {protocol!r}")


def _headers(service: str, protocol: str, request_id: str, body: bytes) -> dict[str, str]:
    headers = {
        "Content-Type": content_type(service, protocol),
        "Content-Length": str(len(body)),
        "x-amzn-RequestId": request_id,
    }
    if protocol == "rpcv2cbor":
        headers["smithy-protocol"] = "rpc-v2-cbor"
    return headers


@cache
def _document_shaper(service: str, protocol: str) -> DocumentShaper:
    return DocumentShaper(protocol)


@cache
def _xml_shaper(service: str) -> XmlShaper:
    return XmlShaper()


def encode_response(
    service: str, operation: str, protocol: str, result: dict[str, Any] | None, request_id: str
) -> tuple[int, dict[str, str], bytes]:
    """200 with the result serialized for `protocol`. An operation without output answers an empty body in the
    JSON and CBOR protocols (as Kinesis does: Content-Length 0) and a bare `<OpResponse>` with its
    ResponseMetadata in the query protocol."""
    model = operation_model(service, operation)
    shape = model.output_shape
    if protocol == "query":
        body = _query_body(service, model, result, request_id)
    elif shape is None:
        body = b""
    else:
        shaper = _document_shaper(service, protocol).shaper(shape)
        document = shaper(result or {}) if shaper is not None else (result or {})
        if protocol == "json":
            body = json.dumps(document, separators=(",", ":")).encode("ascii")
        elif protocol in ("cbor", "rpcv2cbor"):
            body = cbor.dumps(document)
        else:
            raise ValueError(f"unknown protocol {protocol!r}")
    return 200, _headers(service, protocol, request_id, body), body


def _query_body(
    service: str, model: botocore.model.OperationModel, result: dict[str, Any] | None, request_id: str
) -> bytes:
    namespace = service_model(service).metadata.get("xmlNamespace", "")
    name = model.name
    out = [f'<{name}Response xmlns="{namespace}">']
    shape = model.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        out.append(f"<{wrapper}>")
        _xml_shaper(service).writer(shape)(result or {}, out)
        out.append(f"</{wrapper}>")
    out.append(f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>")
    out.append(f"</{name}Response>")
    return "".join(out).encode("utf-8")


@cache
def _error_shapes(service: str) -> tuple[dict[str, str], dict[str, str]]:
    """(query code -> shape name, shape name -> query code) for a query-compatible service's modelled errors."""
    by_code: dict[str, str] = {}
    by_shape: dict[str, str] = {}
    for shape in service_model(service).error_shapes:
        code = shape.metadata.get("error", {}).get("code", shape.name)
        by_code.setdefault(code, shape.name)
        by_shape[shape.name] = code
    return by_code, by_shape


def _query_compatible(service: str) -> bool:
    return "awsQueryCompatible" in service_model(service).metadata


def encode_error(service: str, protocol: str, error: AwsError, request_id: str) -> tuple[int, dict[str, str], bytes]:
    """The error as AWS answers it in `protocol` (see the module doc of localaws.errors)."""
    code = error.code
    fault = "Sender" if error.sender_fault else "Receiver"
    extra: dict[str, str] = {}
    if protocol == "query":
        if _query_compatible(service):
            code = _error_shapes(service)[1].get(code, code)
        namespace = service_model(service).metadata.get("xmlNamespace", "")
        message = "" if error.message is None else f"<Message>{escape(error.message)}</Message>"
        body = (
            f'<ErrorResponse xmlns="{namespace}"><Error><Type>{fault}</Type><Code>{escape(code)}</Code>{message}'
            f"</Error><RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
        ).encode()
    else:
        type_name = code
        if _query_compatible(service):
            by_code, by_shape = _error_shapes(service)
            type_name = by_code.get(code, code)
            extra["x-amzn-query-error"] = f"{by_shape.get(type_name, code)};{fault}"
        document: dict[str, Any] = {"__type": type_name}
        if error.message is not None:
            # Kinesis's deserializer names its message 'Message' (kinesalite's assertSerialization records it).
            document["Message" if code == "SerializationException" else "message"] = error.message
        if protocol == "json":
            body = json.dumps(document, separators=(",", ":")).encode("ascii")
        elif protocol in ("cbor", "rpcv2cbor"):
            body = cbor.dumps(document)
        else:
            raise ValueError(f"unknown protocol {protocol!r}")
    headers = _headers(service, protocol, request_id, body)
    headers.update(extra)
    return error.status, headers, body
