"""Which service, protocol and operation a request is for, from what the client sent: X-Amz-Target (JSON, CBOR),
the path (Smithy RPC v2 CBOR), or the Action of a form (the query protocol of STS, IAM and CloudWatch)."""

import functools
from dataclasses import dataclass
from urllib.parse import parse_qs

import botocore.session

from localaws.frontdoor.request import Request

# The services this endpoint serves, by botocore's names.
SERVED = ("kinesis", "cognito-identity", "sts", "iam", "cloudwatch", "kms")
FORM = "application/x-www-form-urlencoded"
JSON_TYPES = {"application/x-amz-json-1.1": "1.1", "application/x-amz-json-1.0": "1.0"}
CBOR_TYPE = "application/x-amz-cbor-1.1"


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def service_model(service: str):  # botocore.model.ServiceModel
    return _session().get_service_model(service)


@functools.cache
def _by_target_prefix() -> dict[str, str]:
    return {service_model(name).metadata["targetPrefix"]: name for name in SERVED if _has_target(name)}


def _has_target(name: str) -> bool:
    return bool(service_model(name).metadata.get("targetPrefix"))


@functools.cache
def _by_signing_name() -> dict[str, str]:
    return {service_model(name).signing_name: name for name in SERVED}


@functools.cache
def operation_names(service: str) -> frozenset[str]:
    return frozenset(service_model(service).operation_names)


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region botocore knows for the services served here, in every partition: AWS answers a credential
    scoped to anything else (a typo, another case) with "Credential should be scoped to a valid region"."""
    session = _session()
    return frozenset(
        region
        for name in SERVED
        for partition in session.get_available_partitions()
        for region in session.get_available_regions(name, partition)
    )


@functools.cache
def signing_name(service: str) -> str:
    return service_model(service).signing_name


@functools.cache
def is_unsigned(service: str, operation: str) -> bool:
    """Operations AWS serves without a signature (GetId, AssumeRoleWithWebIdentity, ...), per the model."""
    model = service_model(service).operation_model(operation)
    if model.auth_type == "none":
        return True
    auth = model._operation_model.get("auth") or []  # newer models: a list of Smithy auth traits
    return "smithy.api#noAuth" in auth and len(auth) == 1


@dataclass
class Route:
    service: str | None  # None: no service of ours recognised
    protocol: str  # json | json-deprecated | cbor | query | rpcv2cbor | unknown
    operation: str | None  # the model's operation name; None when unknown
    target: str = ""  # what the client named (for error messages)
    form: dict[str, list[str]] | None = None  # the query protocol's parameters


def _scope_service(request: Request) -> str | None:
    """The service named in the signature's credential scope, if any."""
    credential = ""
    authorization = request.headers.get("authorization", "")
    if "Credential=" in authorization:
        credential = authorization.split("Credential=", 1)[1].split(",", 1)[0].strip()
    elif "X-Amz-Credential=" in request.query_string:
        credential = parse_qs(request.query_string).get("X-Amz-Credential", [""])[0]
    parts = credential.split("/")
    return _by_signing_name().get(parts[3]) if len(parts) == 5 else None


def route(request: Request) -> Route:
    content_type = request.content_type
    if request.raw_path.startswith("/service/"):
        # Smithy RPC v2 CBOR: POST /service/<ServiceShape>/operation/<Operation>
        parts = request.raw_path.strip("/").split("/")
        service = None
        operation = None
        if len(parts) == 4 and parts[2] == "operation":
            service = _by_target_prefix().get(parts[1])
            if service and parts[3] in operation_names(service):
                operation = parts[3]
        return Route(service, "rpcv2cbor", operation, target=request.raw_path)

    target = request.headers.get("x-amz-target")
    if target is None and (content_type == FORM or (request.method == "GET" and "Action=" in request.query_string)):
        text = request.body.decode("utf-8", "replace") if content_type == FORM else request.query_string
        form = parse_qs(text, keep_blank_values=True)
        if "Action" not in form:
            # A form for no action at all: AWS cannot tell what to authorize (what Kinesis answers, in XML).
            return Route(None, "unknown", None)
        action = form["Action"][0]
        service = _scope_service(request)
        if service is None:
            service = next((name for name in ("sts", "iam", "cloudwatch") if action in operation_names(name)), None)
        operation = action if service and action in operation_names(service) else None
        return Route(service or "sts", "query", operation, target=action, form=form)

    prefix, _, name = (target or "").partition(".")
    service = _by_target_prefix().get(prefix)
    operation = name if service and name in operation_names(service) else None
    json_version = service_model(service or "kinesis").metadata.get("jsonVersion", "1.1")
    if JSON_TYPES.get(content_type) == json_version:
        protocol = "json"
    elif content_type == "application/json" and request.body:
        protocol = "json-deprecated"  # Kinesis's legacy JSON answers
    else:
        protocol = (
            "cbor"  # what Kinesis assumes for anything else (the Java SDK's default), JSON of another version included
        )
    return Route(service, protocol, operation, target=target or "")
