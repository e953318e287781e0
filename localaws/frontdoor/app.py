"""The front door: every request to the endpoint passes here, in the order AWS checks things.

1. Host must be a loopback name (a DNS-rebinding page cannot reach us under its own name).
2. `/_wildrydes/` (control) and `/moto-api/` (moto's admin): only with the control token; never CORS.
3. OPTIONS: the CORS preflight a browser sends before calling an AWS API (AWS answers it for anyone).
4. The AWS APIs: route (service, protocol, operation) -> the protocol's own early errors -> SigV4 authentication
   (unless the model marks the operation unsigned) -> decode and validate against botocore's model -> the resources
   the call acts on -> IAM authorization (unless it was switched off at start) -> the service -> the answer in the
   caller's protocol.
"""

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from localaws import wire
from localaws.context import Credential, Principal, RequestContext
from localaws.errors import AwsError
from localaws.frontdoor import routing, sigv4
from localaws.frontdoor.request import Answer, BodyTooLarge, Request, aws_headers
from localaws.runtime import Runtime
from localaws.services import Access, Service
from localaws.wire import eventstream

log = logging.getLogger(__name__)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# The Kinesis answers kinesalite's suite records for requests that are not for any operation.
_XML_DENIED = ("AccessDeniedException", "Unable to determine service/operation name to be authorized")


class CredentialSource(Protocol):
    def lookup(self, access_key_id: str) -> Credential | None: ...


class Authorizer(Protocol):
    def authorize(self, ctx: RequestContext, accesses: list[Access]) -> None: ...


class Forwarder(Protocol):
    """A service served by moto: the raw request goes to moto's WSGI app in the caller's account."""

    def accesses(self, ctx: RequestContext, params: dict[str, Any]) -> list[Access]: ...

    def forward(self, request: Request, ctx: RequestContext) -> Answer: ...


class ControlApi(Protocol):
    def handle(self, request: Request) -> Answer: ...


def host_is_loopback(host: str | None, port: int) -> bool:
    if not host:
        return False
    host = host.strip().lower()
    return any(host == name or host == f"{name}:{port}" for name in LOOPBACK_NAMES)


def xml_error(status: int, code: str, message: str | None = None) -> Answer:
    body = f"<{code}>\n  <Message>{message}</Message>\n</{code}>\n" if message else f"<{code}/>\n"
    return Answer(status, {}, body.encode())


# SignatureProblem kinds -> (JSON code, query code, query status)
_AUTH_CODES = {
    "missing": ("MissingAuthenticationTokenException", "MissingAuthenticationToken", 403),
    "incomplete": ("IncompleteSignatureException", "IncompleteSignature", 400),
    "invalid": ("InvalidSignatureException", "SignatureDoesNotMatch", 403),
    "mismatch": ("InvalidSignatureException", "SignatureDoesNotMatch", 403),
    "expired-signature": ("InvalidSignatureException", "SignatureDoesNotMatch", 403),
    "unknown-key": ("UnrecognizedClientException", "InvalidClientTokenId", 403),
    "expired-token": ("ExpiredTokenException", "ExpiredToken", 403),
}


def _auth_error(problem: sigv4.SignatureProblem, protocol: str) -> AwsError:
    json_code, query_code, query_status = _AUTH_CODES[problem.kind]
    if protocol == "query":
        message = "Request is missing Authentication Token" if problem.kind == "missing" else problem.message
        return AwsError(query_code, message, query_status)
    return AwsError(json_code, problem.message, 400)


class FrontDoor:
    def __init__(
        self,
        *,
        runtime: Runtime,
        port: int,
        services: dict[str, Service],
        forwarded: dict[str, Forwarder],
        credentials: list[CredentialSource],
        authorizer: Authorizer,
        control: ControlApi,
        after_forward: Callable[[RequestContext, dict[str, Any]], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.port = port
        self.services = services
        self.forwarded = forwarded
        self.credentials = credentials
        self.authorizer = authorizer
        self.control = control
        self.after_forward = after_forward

    # --- WSGI ------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            request = Request.from_environ(environ)
        except BodyTooLarge:
            return Answer(413, {"Content-Type": "text/plain"}, b"request body too large\n").send(start_response)
        return self.handle(request).send(start_response)

    def handle(self, request: Request) -> Answer:
        if not host_is_loopback(request.headers.get("host"), self.port):
            return Answer(
                421,
                {"Content-Type": "text/plain"},
                b"this local endpoint answers only to 127.0.0.1, localhost or [::1]\n",
            )
        if request.raw_path.startswith(("/_wildrydes/", "/moto-api")):
            return self.control.handle(request)
        if request.method == "OPTIONS" and "origin" in request.headers:
            return self._preflight(request)
        route: routing.Route | None = None
        try:
            route = routing.route(request)
            return self._aws(request, route)
        except AwsError as error:
            return self._error(request, route, error)
        except Exception:
            log.exception("internal failure on %s %s", request.method, request.raw_path)
            failure = AwsError("InternalFailure", "Internal service failure.", 500, sender_fault=False)
            return self._error(request, route, failure)

    # --- the AWS APIs ----------------------------------------------------------------------------

    def _preflight(self, request: Request) -> Answer:
        headers = {"x-amzn-RequestId": request.request_id, "Access-Control-Allow-Origin": "*"}
        if "access-control-request-headers" in request.headers:
            headers["Access-Control-Allow-Headers"] = request.headers["access-control-request-headers"]
        if "access-control-request-method" in request.headers:
            headers["Access-Control-Allow-Methods"] = request.headers["access-control-request-method"]
        headers["Access-Control-Max-Age"] = "172800"
        return Answer(200, headers, b"")

    def _error(self, request: Request, route: routing.Route | None, error: AwsError) -> Answer:
        service = route.service if route and route.service else "kinesis"
        protocol = route.protocol if route else "json"
        if protocol in ("json-deprecated", "unknown"):
            protocol = "json"
        status, headers, body = wire.encode_error(service, protocol, error, request.request_id)
        return Answer(status, aws_headers(request, headers), body)

    def _deprecated(self, request: Request, status: int, code: str) -> Answer:
        body = json.dumps({"Output": {"__type": f"com.amazon.coral.service#{code}"}, "Version": "1.0"}).encode()
        return Answer(status, aws_headers(request, {"Content-Type": "application/json"}), body)

    def _aws(self, request: Request, route: routing.Route) -> Answer:
        if route.protocol == "unknown" or (request.method != "POST" and route.protocol != "query"):
            answer = xml_error(403, *_XML_DENIED)
            answer.headers.update(aws_headers(request))
            return answer
        body: Any = request.body
        if route.protocol == "json-deprecated":
            try:
                json.loads(request.body)
            except ValueError:
                return self._deprecated(request, 400, "SerializationException")
            return self._deprecated(request, 404, "UnknownOperationException")
        document: dict[str, Any] | None = None
        if route.protocol == "json":
            # Parsed once: whether it reads as JSON at all is answered before the operation and authentication
            # (as AWS does); what the strict reading refuses, after authentication, when the params are decoded.
            reading = "value"
            if request.body:
                reading, document = wire.parse_json_once(request.body)
                if reading == "invalid":
                    raise AwsError("SerializationException", None)
            if route.operation is None:
                raise AwsError("UnknownOperationException", None)
            if reading != "object":
                raise AwsError("SerializationException", None)
        elif route.protocol == "query":
            if route.operation is None:
                version = (route.form or {}).get("Version", [""])[0]
                raise AwsError("InvalidAction", f"Could not find operation {route.target} for version {version}")
            body = {key: values for key, values in (route.form or {}).items() if key not in ("Action", "Version")}
        elif route.operation is None:  # cbor, rpcv2cbor
            raise AwsError("UnknownOperationException", None, 404 if route.protocol == "rpcv2cbor" else 400)
        service, operation = route.service, route.operation
        assert service is not None and operation is not None

        principal: Principal | None = None
        region = "us-east-1"
        if not routing.is_unsigned(service, operation):
            principal, region = self._authenticate(request, route)
        params = wire.decode_request(service, operation, route.protocol, body, document)
        wire.validate(service, operation, params)
        ctx = RequestContext(
            service=service,
            operation=operation,
            region=region,
            account_id=principal.account_id if principal else None,
            principal=principal,
            request_id=request.request_id,
            clock=self.runtime.clock,
            settings=self.runtime.settings,
            headers=request.headers,
            source_ip=request.remote_addr,
        )
        ours = self.services.get(service)
        forwarder = None if ours else self.forwarded.get(service)
        if ours is None and forwarder is None:
            raise AwsError("UnknownOperationException", None)
        accesses = ours.authorization(ctx, params) if ours else forwarder.accesses(ctx, params)  # type: ignore[union-attr]
        if self.runtime.settings.iam_enforcement and principal is not None and principal.kind != "admin":
            self.authorizer.authorize(ctx, accesses)
        if forwarder is not None:
            answer = forwarder.forward(request, ctx)
            if answer.status < 300 and self.after_forward is not None:
                self.after_forward(ctx, params)
            return answer
        result = ours.call(ctx, params)  # type: ignore[union-attr]
        if eventstream.is_event_stream(service, operation):  # SubscribeToShard: events pushed as they come
            stream_headers, chunks = eventstream.encode_stream(service, operation, route.protocol, result or {})
            return Answer(200, aws_headers(request, stream_headers), b"", chunks)
        status, headers, payload = wire.encode_response(service, operation, route.protocol, result, request.request_id)
        return Answer(status, aws_headers(request, headers), payload)

    def _authenticate(self, request: Request, route: routing.Route) -> tuple[Principal, str]:
        service = route.service
        assert service is not None
        try:
            signature = sigv4.parse(request.headers, request.query_string)
            expected = routing.signing_name(service)
            if signature.service != expected:
                raise sigv4.SignatureProblem(
                    "incomplete", f"Credential should be scoped to correct service: '{expected}'. "
                )
            if signature.region not in routing.known_regions():
                raise sigv4.SignatureProblem(
                    "invalid", f"Credential should be scoped to a valid region, not '{signature.region}'. "
                )
            credential = self._lookup(signature.access_key_id)
            if credential is None:
                raise sigv4.SignatureProblem("unknown-key", "The security token included in the request is invalid.")
            sigv4.verify(
                signature,
                credential.secret_access_key,
                method=request.method,
                raw_path=request.raw_path,
                query_string=request.query_string,
                headers=request.headers,
                body=request.body,
            )
            # A session's key needs its token; a long-term key (admin, IAM user) takes none, as on AWS.
            if (signature.session_token or None) != credential.session_token:
                raise sigv4.SignatureProblem("unknown-key", "The security token included in the request is invalid.")
            if credential.expires_at is not None and self.runtime.clock.time() >= credential.expires_at:
                raise sigv4.SignatureProblem("expired-token", "The security token included in the request is expired")
        except sigv4.SignatureProblem as problem:
            raise _auth_error(problem, route.protocol) from None
        return credential.principal, signature.region

    def _lookup(self, access_key_id: str) -> Credential | None:
        for source in self.credentials:
            credential = source.lookup(access_key_id)
            if credential is not None:
                return credential
        return None
