"""The IAM checks of calls forwarded to moto (IAM and KMS): for each resource type the Service Authorization
Reference lists for the action, the ARN of the resource the call names; "*" when it names none the endpoint can
build (the authorizer then needs a statement on "*")."""

from collections.abc import Callable
from typing import Any

from localaws.context import RequestContext
from localaws.iam import moto_iam
from localaws.iam.actions import action_table
from localaws.iam.view import IamView
from localaws.services import Access

# Name -> ARN builder for one resource type; None when the call does not name such a resource.
Builder = Callable[[RequestContext, dict[str, Any], str], str | None]


def partition_of_region(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _account(ctx: RequestContext) -> str:
    return ctx.account_id or (ctx.principal.account_id if ctx.principal else "")


def _path(params: dict[str, Any], account_id: str, kind: str, name: str, creating: bool) -> str:
    if creating:
        return params.get("Path") or "/"
    return moto_iam.path_of(account_id, kind, name) or "/"


def _iam_arn(ctx: RequestContext, kind: str, rest: str) -> str:
    return f"arn:{partition_of_region(ctx.region)}:iam::{_account(ctx)}:{kind}{rest}"


def _named(kind: str, member: str) -> Builder:
    """role/user/group/instance-profile/server-certificate: NAME with its path (the new one when created)."""

    def build(ctx: RequestContext, params: dict[str, Any], operation: str) -> str | None:
        name = params.get(member)
        if not name:
            return None
        creating = operation in _CREATES
        return _iam_arn(ctx, kind, f"{_path(params, _account(ctx), kind, name, creating)}{name}")

    return build


# The operations that make a role, user, ... at the Path they are given (others find the path in IAM).
_CREATES = frozenset({"CreateRole", "CreateUser", "CreateGroup", "CreateInstanceProfile", "UploadServerCertificate"})


def _user(ctx: RequestContext, params: dict[str, Any], operation: str) -> str | None:
    if params.get("UserName"):
        return _named("user", "UserName")(ctx, params, operation)
    if operation == "GetAccessKeyLastUsed" and params.get("AccessKeyId"):
        owner = _key_owner(_account(ctx), params["AccessKeyId"])
        return (
            _iam_arn(ctx, "user", f"{moto_iam.path_of(_account(ctx), 'user', owner) or '/'}{owner}") if owner else None
        )
    # Without UserName IAM acts on the caller's own user (its access keys, its password, ...).
    if ctx.principal is not None and ctx.principal.kind == "user":
        return ctx.principal.arn
    return None


def _key_owner(account_id: str, access_key_id: str) -> str | None:
    key = moto_iam.backend(account_id).access_keys.get(access_key_id)
    return getattr(key, "user_name", None)


def _policy(ctx: RequestContext, params: dict[str, Any], operation: str) -> str | None:
    if params.get("PolicyArn"):
        return params["PolicyArn"]
    if operation == "CreatePolicy" and params.get("PolicyName"):
        return _iam_arn(ctx, "policy", f"{params.get('Path') or '/'}{params['PolicyName']}")
    return None


def _oidc(ctx: RequestContext, params: dict[str, Any], operation: str) -> str | None:
    if params.get("OpenIDConnectProviderArn"):
        return params["OpenIDConnectProviderArn"]
    url = params.get("Url")
    if operation == "CreateOpenIDConnectProvider" and url:
        return _iam_arn(ctx, "oidc-provider", "/" + url.split("://", 1)[-1].rstrip("/"))
    return None


def _saml(ctx: RequestContext, params: dict[str, Any], operation: str) -> str | None:
    if params.get("SAMLProviderArn"):
        return params["SAMLProviderArn"]
    if operation == "CreateSAMLProvider" and params.get("Name"):
        return _iam_arn(ctx, "saml-provider", f"/{params['Name']}")
    return None


def _mfa(ctx: RequestContext, params: dict[str, Any], operation: str) -> str | None:
    serial = params.get("SerialNumber")
    if serial and serial.startswith("arn:"):
        return serial
    if operation == "CreateVirtualMFADevice" and params.get("VirtualMFADeviceName"):
        return _iam_arn(ctx, "mfa", f"{params.get('Path') or '/'}{params['VirtualMFADeviceName']}")
    return None


def _entity(ctx: RequestContext, params: dict[str, Any], operation: str) -> str | None:
    """Operations about any principal or policy, named by its ARN."""
    return params.get("Arn") or params.get("PolicySourceArn")


IAM_BUILDERS: dict[str, Builder] = {
    "role": _named("role", "RoleName"),
    "user": _user,
    "group": _named("group", "GroupName"),
    "instance-profile": _named("instance-profile", "InstanceProfileName"),
    "server-certificate": _named("server-certificate", "ServerCertificateName"),
    "policy": _policy,
    "oidc-provider": _oidc,
    "saml-provider": _saml,
    "mfa": _mfa,
}
# Renaming needs permission on the old and the new name.
_RENAMES = {"UpdateUser": ("user", "NewUserName", "NewPath"), "UpdateGroup": ("group", "NewGroupName", "NewPath")}
_RENAMES["UpdateServerCertificate"] = ("server-certificate", "NewServerCertificateName", "NewPath")


def _iam_accesses(ctx: RequestContext, params: dict[str, Any]) -> list[Access]:
    operation = ctx.operation
    action = f"iam:{operation}"
    types = action_table().resource_types(action) or ()
    resources: list[str] = []
    entity = _entity(ctx, params, operation)
    if entity and any(each.matches(entity) for each in types):
        resources.append(entity)
    else:
        for resource_type in types:
            builder = IAM_BUILDERS.get(resource_type.name)
            arn = builder(ctx, params, operation) if builder else None
            if arn and arn not in resources:
                resources.append(arn)
    if operation in _RENAMES:
        kind, new_name, new_path = _RENAMES[operation]
        if params.get(new_name) and resources:
            path = params.get(new_path) or resources[0].split(f":{kind}", 1)[1].rsplit("/", 1)[0] + "/"
            resources.append(_iam_arn(ctx, kind, f"{path}{params[new_name]}"))
    checks = [Access(action, resource) for resource in resources] or [Access(action, "*")]
    if operation == "AddRoleToInstanceProfile" and params.get("RoleName"):
        # AWS: "The caller of this operation must be granted the PassRole permission on the IAM role".
        role = _named("role", "RoleName")(ctx, params, operation)
        checks.append(Access("iam:PassRole", role or "*"))
    return checks


# --- KMS -----------------------------------------------------------------------------------------------


def _kms_arn(ctx: RequestContext, kind: str, name: str) -> str:
    return f"arn:{partition_of_region(ctx.region)}:kms:{ctx.region}:{_account(ctx)}:{kind}/{name}"


def kms_key_arn(ctx: RequestContext, key_id: str) -> str:
    """The ARN of the key a KeyId names: a key ARN as it is, a key id in the caller's account and region, an alias
    (name or ARN) resolved to its key in moto's KMS store; an alias that names no key stays an alias ARN."""
    if key_id.startswith("arn:") and ":key/" in key_id:
        return key_id
    if key_id.startswith("alias/") or (key_id.startswith("arn:") and ":alias/" in key_id):
        alias_arn = key_id if key_id.startswith("arn:") else _kms_arn(ctx, "alias", key_id.removeprefix("alias/"))
        target = _alias_target(alias_arn)
        return target or alias_arn
    return _kms_arn(ctx, "key", key_id)


def _alias_target(alias_arn: str) -> str | None:
    from moto.kms.models import kms_backends

    _, partition, _, region, account_id, resource = alias_arn.split(":", 5)
    if account_id not in kms_backends:
        return None
    # Read only: moto's get_key_id_from_alias makes AWS managed keys on first use.
    backend = kms_backends[account_id][region]
    for key in list(backend.keys.values()):
        if resource in key.aliases:
            return f"arn:{partition}:kms:{region}:{account_id}:key/{key.id}"
    return None


def _kms_accesses(ctx: RequestContext, params: dict[str, Any]) -> list[Access]:
    operation = ctx.operation
    if operation == "ReEncrypt":  # one call, two actions: decrypt with one key, encrypt with another
        return [
            Access("kms:ReEncryptFrom", kms_key_arn(ctx, params.get("SourceKeyId") or "*")),
            Access("kms:ReEncryptTo", kms_key_arn(ctx, params.get("DestinationKeyId") or "*")),
        ]
    action = f"kms:{operation}"
    names = {each.name for each in action_table().resource_types(action) or ()}
    resources: list[str] = []
    alias = params.get("AliasName")
    if "alias" in names and alias:
        resources.append(_kms_arn(ctx, "alias", alias.removeprefix("alias/")))
    key_id = params.get("TargetKeyId") or params.get("KeyId")
    if "key" in names:
        if key_id:
            resources.append(kms_key_arn(ctx, key_id))
        elif alias:  # DeleteAlias: the key the alias names
            resources.append(kms_key_arn(ctx, alias if alias.startswith("alias/") else f"alias/{alias}"))
    return [Access(action, resource) for resource in resources] or [Access(action, "*")]


def accesses_for(ctx: RequestContext, params: dict[str, Any], view: IamView) -> list[Access]:
    """The checks a call of a service forwarded to moto needs: IAM (action "iam:<Operation>") and KMS."""
    if ctx.service == "iam":
        return _iam_accesses(ctx, params)
    if ctx.service == "kms":
        return _kms_accesses(ctx, params)
    return [Access(f"{ctx.service}:{ctx.operation}", "*")]
