"""What a service of ours offers the front door.

The front door parses and validates the request against botocore's model first, so `params` holds exactly the
model's members with Python values (str, int, float, bool, bytes for blobs, float epoch seconds for timestamps,
lists and dicts). `call` returns the output members the same way (bytes for blobs, float seconds or datetime for
timestamps); the front door serializes them for the protocol the caller spoke (JSON, CBOR, XML).
"""

from dataclasses import dataclass
from typing import Any, Protocol

from localaws.context import RequestContext


@dataclass(frozen=True)
class Access:
    """One IAM check a call needs: this action on this resource ("*" for an action without resource types)."""

    action: str  # "kinesis:GetRecords"
    resource: str  # "arn:aws:kinesis:us-east-1:123456789012:stream/wildrydes"


class Service(Protocol):
    name: str  # botocore's service name

    def authorization(self, ctx: RequestContext, params: dict[str, Any]) -> list[Access]:
        """The checks IAM makes before the call: the resource(s) the call really acts on. Raises AwsError when the
        request is contradictory (StreamName and StreamARN naming different streams) before anything is checked."""
        ...

    def call(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None:
        """Do the operation `ctx.operation`; raise localaws.errors.AwsError for anything AWS would refuse."""
        ...
