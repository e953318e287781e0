"""IAM enforcement as the lab's least privilege needs it: Kinesis requests checked against the stream they
touch, and refusals worded and shaped as AWS words and shapes them.

Only in effect when the endpoint enforces IAM (`iam_enforcement`): moto checks every signed request
against the caller's identity policies (users' and assumed roles'). The trust side of assuming a role
with a web identity token is in sts.py.

moto is imported inside the functions: the server sets moto's environment before moto is imported.
"""

import binascii
import re
from typing import Any

from werkzeug.exceptions import HTTPException

from simulator.local.fidelity import fix

# Kinesis operations and the kind of resource IAM checks them against (AWS's service authorization
# reference, "Actions defined by Amazon Kinesis Data Streams"); any other operation is checked against "*".
KINESIS_STREAM_ACTIONS = frozenset(
    {
        "AddTagsToStream",
        "CreateStream",
        "DecreaseStreamRetentionPeriod",
        "DeleteStream",
        "DescribeStream",
        "DescribeStreamSummary",
        "DisableEnhancedMonitoring",
        "EnableEnhancedMonitoring",
        "GetShardIterator",
        "IncreaseStreamRetentionPeriod",
        "ListShards",
        "ListStreamConsumers",
        "ListTagsForStream",
        "MergeShards",
        "PutRecord",
        "PutRecords",
        "RegisterStreamConsumer",
        "RemoveTagsFromStream",
        "SplitShard",
        "StartStreamEncryption",
        "StopStreamEncryption",
        "UpdateShardCount",
        "UpdateStreamMode",
    }
)
KINESIS_CONSUMER_ACTIONS = frozenset({"DescribeStreamConsumer", "DeregisterStreamConsumer", "SubscribeToShard"})
KINESIS_RESOURCE_ARN_ACTIONS = frozenset(
    {
        "DeleteResourcePolicy",
        "GetResourcePolicy",
        "PutResourcePolicy",
        "ListTagsForResource",
        "TagResource",
        "UntagResource",
    }
)
_STREAM_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,128}$")

MISSING_TOKEN_MESSAGE = "Request is missing Authentication Token"
# Unsigned requests name no service in a credential scope: on AWS the host names it; here these tell.
UNSIGNED_TARGET_PREFIXES = {"Kinesis_20131202": ("kinesis", "us-east-1")}
UNSIGNED_QUERY_API_VERSIONS = {"2010-05-08": ("iam", "us-east-1"), "2011-06-15": ("sts", "us-east-1")}


# --- errors as AWS shapes them ---------------------------------------------------------------------


class QueryProtocolError(HTTPException):
    """An error of a query-protocol service (IAM, STS): XML `ErrorResponse`, as those services answer."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        from xml.sax.saxutils import escape

        super().__init__()
        self.code = status
        self.error_code = error_code
        self.message = message
        self.description = (
            "<ErrorResponse>"
            f"<Error><Type>Sender</Type><Code>{escape(error_code)}</Code><Message>{escape(message)}</Message></Error>"
            "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
        )

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [("Content-Type", "text/xml"), ("X-Amzn-ErrorType", self.error_code)]

    def get_body(self, *args: Any, **kwargs: Any) -> str:
        return self.description


def json_error(error_type: str, message: str, status: int = 400) -> HTTPException:
    """An error of a JSON-protocol service (Kinesis, Cognito Identity): `{"__type", "message"}`."""
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError(error_type, message)
    error.code = status
    return error


def is_json_protocol(headers: Any) -> bool:
    """A request of the AWS JSON protocol (awsJson1_0/1_1): an X-Amz-Target header and a JSON body type."""
    return bool(headers.get("X-Amz-Target")) and "json" in (headers.get("Content-Type") or "").lower()


def _json_content_type(headers: Any) -> str:
    content_type = headers.get("Content-Type") or ""
    return content_type if content_type.startswith("application/x-amz-json") else "application/x-amz-json-1.1"


def _enforcing() -> bool:
    """Whether moto checks requests against IAM now (as ActionAuthenticatorMixin decides)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    return ActionAuthenticatorMixin.request_count >= settings.INITIAL_NO_AUTH_ACTION_COUNT


def _signed(headers: Any) -> bool:
    return "Authorization" in headers


# --- fix 1: Kinesis requests checked against their stream --------------------------------------------


def _stream_arn(response: Any, stream_name: str) -> str:
    return f"arn:{response.partition}:kinesis:{response.region}:{response.current_account}:stream/{stream_name}"


def _invalid_iterator() -> HTTPException:
    return json_error("InvalidArgumentException", "Invalid ShardIterator.")


def _stream_of_iterator(response: Any) -> str:
    """The stream ARN a shard iterator reads, decoded as moto's backend decodes it.

    AWS: an iterator that is not one Kinesis issued is an InvalidArgumentException ("Invalid
    ShardIterator."); one whose stream is gone a ResourceNotFoundException.
    """
    from moto.kinesis import models

    iterator = response._get_param("ShardIterator")
    try:
        parts = models.decompose_shard_iterator(iterator)
    except (binascii.Error, UnicodeDecodeError, ValueError, AttributeError, TypeError) as error:
        raise _invalid_iterator() from error
    if len(parts) < 3 or not _STREAM_NAME.match(parts[0]):
        raise _invalid_iterator()
    stream_name, shard_id = parts[0], parts[1]
    if stream_name not in response.kinesis_backend.streams:
        raise json_error(
            "ResourceNotFoundException",
            f"Shard {shard_id} in stream {stream_name} under account {response.current_account} does not exist",
        )
    return _stream_arn(response, stream_name)


def _consumer_arn(response: Any, stream_arn: str | None) -> str:
    consumer_arn = response._get_param("ConsumerARN")
    if consumer_arn:
        return consumer_arn
    consumer_name = response._get_param("ConsumerName")
    if not (stream_arn and consumer_name):
        return "*"
    stream = next((s for s in response.kinesis_backend.streams.values() if s.arn == stream_arn), None)
    for consumer in stream.consumers if stream is not None else []:
        if consumer.consumer_name == consumer_name:
            return consumer.consumer_arn
    return f"{stream_arn}/consumer/{consumer_name}"  # unknown: refused, or not found after the check


def kinesis_resource(response: Any) -> str:
    """The resource ARN IAM checks a Kinesis request against: its stream, its consumer, or "*"."""
    action = response._get_action()
    stream_arn = response._get_param("StreamARN")
    if action == "GetRecords":
        return stream_arn or _stream_of_iterator(response)
    if action in KINESIS_STREAM_ACTIONS:
        stream_name = response._get_param("StreamName")
        return stream_arn or (_stream_arn(response, stream_name) if stream_name else "*")
    if action in KINESIS_CONSUMER_ACTIONS:
        return _consumer_arn(response, stream_arn)
    if action in KINESIS_RESOURCE_ARN_ACTIONS:
        return response._get_param("ResourceARN") or "*"
    return "*"


@fix("iam")
def kinesis_checked_against_resource_star() -> None:
    """moto 5.2.5 checks a Kinesis request against the caller's policies for its action only, with the
    resource "*": a policy scoped to a stream (`arn:aws:kinesis:REGION:ACCOUNT:stream/NAME`) allows
    nothing, and one with "Resource": "*" allows every stream.

    AWS checks each request against the resource it touches: the stream named by StreamARN, or by
    StreamName in the caller's account and the request's region; the consumer (ConsumerARN) for the
    consumer operations; for GetRecords the stream the shard iterator reads (an iterator Kinesis did
    not issue is an InvalidArgumentException, one of a deleted stream a ResourceNotFoundException).
    Operations that name no stream (ListStreams, DescribeLimits, ...) are checked against "*".
    """
    from moto.kinesis.responses import KinesisResponse

    def _determine_resource(self: Any) -> str:
        # Only when enforcing; an unsigned request is refused for that before anything else.
        if not _enforcing() or not _signed(self.headers):
            return "*"
        return kinesis_resource(self)

    KinesisResponse._determine_resource = _determine_resource


# --- fix 2: refusals shaped as AWS shapes them --------------------------------------------------------


def _denial_message(principal: str, action: str, resource: str, explicit: bool) -> str:
    on_resource = f" on resource: {resource}" if resource != "*" else ""
    reason = (
        "with an explicit deny in an identity-based policy"
        if explicit
        else f"because no identity-based policy allows the {action} action"
    )
    return f"User: {principal} is not authorized to perform: {action}{on_resource} {reason}"


@fix("iam")
def access_denied_is_xml_403() -> None:
    """moto 5.2.5 refuses a request of any service with the query protocol's XML `AccessDenied`
    (HTTP 403) "User: ARN is not authorized to perform: ACTION", which an SDK of a JSON-protocol service
    (Kinesis, Cognito Identity) cannot parse (botocore reports the code "403" and the XML as the
    message). An unsigned request to an operation that needs a signature crashes (HTTP 500, KeyError
    'Authorization'); unknown credentials and bad signatures are XML too.

    AWS answers a JSON-protocol request with JSON, HTTP 400: `{"__type": "AccessDeniedException",
    "message": "User: ARN is not authorized to perform: kinesis:PutRecord on resource: STREAM_ARN
    because no identity-based policy allows the kinesis:PutRecord action"}` ("with an explicit deny in
    an identity-based policy" when a Deny matched); `MissingAuthenticationTokenException` for an
    unsigned request (moto sends unsigned Kinesis, IAM and STS requests to S3: they are routed to their
    service here), `UnrecognizedClientException` for unknown credentials, `InvalidSignatureException`
    for a bad signature. Query-protocol services (IAM, STS) keep their XML: AccessDenied (403), and
    MissingAuthenticationToken (403) for an unsigned request.
    """
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.exceptions import InvalidClientTokenIdError, SignatureDoesNotMatchError
    from moto.iam import access_control
    from moto.iam.exceptions import NotFoundException
    from moto.moto_server import werkzeug_app

    if getattr(ActionAuthenticatorMixin, "_wildrydes_access_denied", False):
        return
    ActionAuthenticatorMixin._wildrydes_access_denied = True
    authenticate = ActionAuthenticatorMixin._authenticate_and_authorize_action
    raise_denied = access_control.IAMRequest._raise_access_denied
    service_from_body = werkzeug_app.DomainDispatcherApplication.get_service_from_body

    def get_service_from_body(self: Any, body: str | None, environ: dict[str, Any]) -> tuple[str | None, str | None]:
        """Route unsigned IAM and STS requests by their API Version (moto sends them to S3)."""
        routed = UNSIGNED_QUERY_API_VERSIONS.get(self.get_version_from_body(body) or "")
        return routed or service_from_body(self, body, environ)

    def check_action_permitted(self: Any, resource: str) -> None:
        """moto's own check, remembering the resource and whether a Deny matched (for the message)."""
        if self._action == "sts:GetCallerIdentity":  # always allowed, even with an explicit Deny
            return
        try:
            policies = self._access_key.collect_policies()
        except NotFoundException:  # the user or role is gone: its credentials allow nothing
            policies = []
        self._wildrydes_resource = resource
        permitted = False
        for policy in policies:
            result = access_control.IAMPolicy(policy).is_action_permitted(self._action, resource)
            if result == access_control.PermissionResult.DENIED:
                self._wildrydes_explicit_deny = True
                self._raise_access_denied()
            elif result == access_control.PermissionResult.PERMITTED:
                permitted = True
        if self._is_assuming_role_operation(resource):
            permitted = permitted and self._check_role_trust_relationship(resource)
        if not permitted:
            self._raise_access_denied()

    def _raise_access_denied(self: Any) -> None:
        resource = getattr(self, "_wildrydes_resource", None)
        if resource is None or not is_json_protocol(self._headers):
            raise_denied(self)
        explicit = getattr(self, "_wildrydes_explicit_deny", False)
        message = _denial_message(self._access_key.arn, self._action, resource, explicit)
        raise json_error("AccessDeniedException", message)

    def authenticate_as_aws(response: Any, iam_request_cls: type, resource: str, json_protocol: bool) -> None:
        if iam_request_cls is access_control.IAMRequest and not _signed(response.headers):
            if json_protocol:
                raise json_error("MissingAuthenticationTokenException", MISSING_TOKEN_MESSAGE)
            raise QueryProtocolError(403, "MissingAuthenticationToken", MISSING_TOKEN_MESSAGE)
        try:
            authenticate(response, iam_request_cls, resource)
        except InvalidClientTokenIdError as error:
            if not json_protocol:
                raise
            raise json_error("UnrecognizedClientException", error.message) from error
        except SignatureDoesNotMatchError as error:
            if not json_protocol:
                raise
            raise json_error("InvalidSignatureException", error.message) from error

    def _authenticate_and_authorize_action(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        if not _enforcing() or self.headers.get("X-Amz-Target") in ActionAuthenticatorMixin.PUBLIC_OPERATIONS:
            return authenticate(self, iam_request_cls, resource)
        json_protocol = is_json_protocol(self.headers)
        try:
            authenticate_as_aws(self, iam_request_cls, resource, json_protocol)
        except HTTPException:
            # call_action answers an authorization error with its body and status only (werkzeug then
            # calls it text/html): say what it is.
            if json_protocol:
                self.response_headers["Content-Type"] = _json_content_type(self.headers)
            elif iam_request_cls is access_control.IAMRequest:
                self.response_headers["Content-Type"] = "text/xml"
            raise

    for prefix, service_region in UNSIGNED_TARGET_PREFIXES.items():
        werkzeug_app.UNSIGNED_REQUESTS.setdefault(prefix, service_region)
    werkzeug_app.DomainDispatcherApplication.get_service_from_body = get_service_from_body
    access_control.IAMRequestBase.check_action_permitted = check_action_permitted
    access_control.IAMRequest._raise_access_denied = _raise_access_denied
    ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate_and_authorize_action
