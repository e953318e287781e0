"""AWS event streams (`application/vnd.amazon.eventstream`): the binary framing and an operation's event-stream
answer as byte chunks.

A message is a prelude (total length, headers length, CRC32 of those 8 bytes), headers (name length, name, type
byte, value), the payload, and a CRC32 of everything before it; all integers big-endian. The only header type
sent here is the string (7). An operation whose output has an event-stream member answers an `initial-response`
event (the output's other members) and then the service's events, each the event shape's members encoded as the
protocol encodes documents; an AwsError raised by the service's event iterator goes out as an `exception` message
and ends the stream, as AWS ends a stream that fails after it has begun.
"""

import json
import struct
import zlib
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import botocore.model

from localaws.errors import AwsError
from localaws.wire import cbor
from localaws.wire.models import operation_model
from localaws.wire.output import DocumentShaper

CONTENT_TYPE = "application/vnd.amazon.eventstream"
_STRING = 7
_PRELUDE = struct.Struct(">II")
_CRC = struct.Struct(">I")
# The format's limits (botocore's decoder refuses more): 128 KiB of headers, 16 MiB in all.
MAX_HEADERS_BYTES = 128 * 1024
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
_PAYLOAD_TYPES = {"json": "application/json", "cbor": "application/x-amz-cbor-1.1", "rpcv2cbor": "application/cbor"}

# What a service's event iterator yields: (event member name, its members), or None for "nothing to send yet"
# (the server then checks that the client is still there).
Event = tuple[str, dict[str, Any]] | None


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return bytes([len(raw_name)]) + raw_name + bytes([_STRING]) + struct.pack(">H", len(raw_value)) + raw_value


def message(headers: dict[str, str], payload: bytes) -> bytes:
    """One framed message; ValueError when it would exceed the format's limits."""
    encoded = b"".join(_header(name, value) for name, value in headers.items())
    total = _PRELUDE.size + _CRC.size + len(encoded) + len(payload) + _CRC.size
    if len(encoded) > MAX_HEADERS_BYTES or total > MAX_MESSAGE_BYTES:
        raise ValueError(f"event-stream message too large ({total} bytes, {len(encoded)} of headers)")
    prelude = _PRELUDE.pack(total, len(encoded))
    head = prelude + _CRC.pack(zlib.crc32(prelude))
    body = head + encoded + payload
    return body + _CRC.pack(zlib.crc32(body))


def event_message(event_type: str, payload: bytes, content_type: str) -> bytes:
    return message(
        {":event-type": event_type, ":content-type": content_type, ":message-type": "event"},
        payload,
    )


def exception_message(code: str, payload: bytes, content_type: str) -> bytes:
    """An exception message: its payload carries the message, as AWS's modelled exceptions carry it."""
    return message(
        {":exception-type": code, ":content-type": content_type, ":message-type": "exception"},
        payload,
    )


@cache
def _shaper(protocol: str) -> DocumentShaper:
    return DocumentShaper(protocol)


def _document(protocol: str, document: Any) -> bytes:
    if protocol == "json":
        return json.dumps(document, separators=(",", ":")).encode("ascii")
    return cbor.dumps(document)


def stream_member(operation: botocore.model.OperationModel) -> tuple[str, botocore.model.StructureShape] | None:
    """The output's event-stream member (name, union shape), or None for an ordinary operation."""
    shape = operation.output_shape
    if shape is None:
        return None
    for name, member in shape.members.items():
        if member.serialization.get("eventstream"):
            return name, member  # type: ignore[return-value]
    return None


@cache
def is_event_stream(service: str, operation: str) -> bool:
    return stream_member(operation_model(service, operation)) is not None


def encode_stream(
    service: str, operation: str, protocol: str, result: dict[str, Any]
) -> tuple[dict[str, str], Iterator[bytes]]:
    """The answer's headers and its body as chunks: the initial response, then one message per event. An empty
    chunk stands for the service's "nothing yet" (None): a server writes nothing for it. Closing the iterator
    closes the service's event iterator (the client went away)."""
    if protocol not in _PAYLOAD_TYPES:
        raise ValueError(f"no event streams in the {protocol!r} protocol")
    model = operation_model(service, operation)
    found = stream_member(model)
    if found is None:
        raise ValueError(f"{service}.{operation} does not answer an event stream")
    name, union = found
    output = model.output_shape
    assert output is not None
    initial = {key: value for key, value in result.items() if key != name}
    initial_shaper = _shaper(protocol).shaper(output)
    initial_document = initial_shaper(initial) if initial_shaper is not None else initial
    events: Iterable[Event] = result.get(name) or ()
    content_type = _PAYLOAD_TYPES[protocol]

    def chunks() -> Iterator[bytes]:
        source = iter(events)
        try:
            yield event_message("initial-response", _document(protocol, initial_document), content_type)
            while True:
                try:
                    item = next(source)
                except StopIteration:
                    return
                except AwsError as error:
                    payload = _document(protocol, {"message": error.message} if error.message is not None else {})
                    yield exception_message(error.code, payload, content_type)
                    return
                if item is None:
                    yield b""
                    continue
                event_type, members = item
                shape = union.members[event_type]
                shaper = _shaper(protocol).shaper(shape)
                document = shaper(members) if shaper is not None else members
                yield event_message(event_type, _document(protocol, document), content_type)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    return {"Content-Type": CONTENT_TYPE}, chunks()
