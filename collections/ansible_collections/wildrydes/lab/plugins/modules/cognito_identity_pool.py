#!/usr/bin/python
# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cognito_identity_pool
version_added: 0.1.0
short_description: Manage Amazon Cognito identity pools and their roles
description:
  - Create, update or delete an Amazon Cognito identity pool, its unauthenticated access, its basic
    (classic) flow setting, its tags and its authenticated/unauthenticated roles.
  - Identity pool names are not unique. The module finds "its" pool by name B(and) by the ownership tag
    O(owner_tag); a pool of the same name without that tag is never adopted or deleted unless O(force=true).
author:
  - Wild Rydes lab maintainers (@wildrydes-lab)
options:
  name:
    description:
      - Name of the identity pool.
    required: true
    type: str
  state:
    description:
      - Create or update the pool (V(present)), or delete it (V(absent)).
    choices: [present, absent]
    default: present
    type: str
  identity_pool_id:
    description:
      - Manage exactly this pool instead of finding it by name and ownership tag.
    type: str
  allow_unauthenticated_identities:
    description:
      - Whether guests (unauthenticated identities) may get an identity.
    type: bool
    default: false
  allow_classic_flow:
    description:
      - Whether the basic (classic) authflow is allowed (GetOpenIdToken, then STS AssumeRoleWithWebIdentity).
      - Needed for guest access to services the enhanced flow's session policy leaves out, such as Kinesis.
    type: bool
    default: false
  roles:
    description:
      - Role ARNs of the pool, keyed V(authenticated) and V(unauthenticated).
      - Omit to leave the pool's roles as they are.
    type: dict
    suboptions:
      authenticated:
        description: ARN of the role for authenticated identities.
        type: str
      unauthenticated:
        description: ARN of the role for unauthenticated identities.
        type: str
  owner_tag:
    description:
      - One tag (a dictionary with a single key) that marks pools this automation owns.
      - Always applied to pools the module creates; required to adopt or delete a pool unless O(force=true).
    type: dict
    required: true
  force:
    description:
      - Adopt (V(present)) or delete (V(absent)) a pool of this name that lacks O(owner_tag).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - O(owner_tag) is always kept on the pool, whatever O(tags) and O(purge_tags) say.
  - Support for check mode and diff mode is full.
"""

EXAMPLES = r"""
- name: Create the workshop's identity pool with guest access and the basic flow
  wildrydes.lab.cognito_identity_pool:
    name: wildrydes
    allow_unauthenticated_identities: true
    allow_classic_flow: true
    owner_tag:
      ManagedBy: wildrydes-lab
  register: pool

- name: Give the pool its roles
  wildrydes.lab.cognito_identity_pool:
    name: wildrydes
    allow_unauthenticated_identities: true
    allow_classic_flow: true
    owner_tag:
      ManagedBy: wildrydes-lab
    roles:
      authenticated: arn:aws:iam::123456789012:role/Cognito_wildrydesAuth_Role
      unauthenticated: arn:aws:iam::123456789012:role/Cognito_wildrydesUnauth_Role

- name: Delete it
  wildrydes.lab.cognito_identity_pool:
    name: wildrydes
    state: absent
    owner_tag:
      ManagedBy: wildrydes-lab
"""

RETURN = r"""
kept_foreign_pool_id:
  description: With O(state=absent), the id of a same-named pool left alone because it lacks O(owner_tag).
  returned: when such a pool exists and O(force=false)
  type: str
identity_pool_id:
  description: Id of the pool (V(null) when absent, or when check mode would create it).
  returned: always
  type: str
  sample: us-east-1:8d3c1b0e-7d5b-4a51-9a3e-0c1f1b5e2a11
identity_pool_arn:
  description: ARN of the pool.
  returned: when the pool exists
  type: str
  sample: arn:aws:cognito-identity:us-east-1:123456789012:identitypool/us-east-1:8d3c1b0e-7d5b-4a51-9a3e-0c1f1b5e2a11
identity_pool:
  description: The pool as the module leaves it.
  returned: when state is present
  type: dict
  contains:
    name:
      description: Name of the pool.
      type: str
    allow_unauthenticated_identities:
      description: Whether guests may get an identity.
      type: bool
    allow_classic_flow:
      description: Whether the basic flow is allowed.
      type: bool
    roles:
      description: Role ARNs keyed authenticated/unauthenticated.
      type: dict
    tags:
      description: Tags of the pool.
      type: dict
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

RETRY = AWSRetry.jittered_backoff(catch_extra_error_codes=["TooManyRequestsException"])


@RETRY
def _list_identity_pools(client):
    # The paginator's pages are fetched by botocore, past the client's retry wrapper: retried here as a whole.
    paginator = client.get_paginator("list_identity_pools")
    return paginator.paginate(MaxResults=60).build_full_result().get("IdentityPools", [])


class IdentityPool:
    """Compare-then-change for one identity pool, so re-runs report changed=false."""

    def __init__(self, module, client, sts):
        self.module = module
        self.client = client
        self.sts = sts
        self.params = module.params
        self.changed = False
        ((self.owner_key, self.owner_value),) = module.params["owner_tag"].items()

    # -- reading ---------------------------------------------------------------------------------------

    def _describe(self, pool_id):
        try:
            return self.client.describe_identity_pool(aws_retry=True, IdentityPoolId=pool_id)
        except is_boto3_error_code("ResourceNotFoundException"):
            return None

    def _pools_named(self, name):
        summaries = _list_identity_pools(self.client)
        described = [self._describe(s["IdentityPoolId"]) for s in summaries if s["IdentityPoolName"] == name]
        return [pool for pool in described if pool]

    def _owned(self, pool):
        return (pool.get("IdentityPoolTags") or {}).get(self.owner_key) == self.owner_value

    def find(self):
        """Return (pool, foreign): our pool (or, when forced, a same-named untagged one) or None, and a
        same-named pool without the ownership tag that we must leave alone (None when there is none)."""
        name = self.params["name"]
        if self.params["identity_pool_id"]:
            pool = self._describe(self.params["identity_pool_id"])
            if pool is None:
                return None, None
            if pool["IdentityPoolName"] != name:
                self.module.fail_json(
                    msg=f"identity pool {pool['IdentityPoolId']} is named {pool['IdentityPoolName']!r}, not {name!r}"
                )
            candidates = [pool]
        else:
            candidates = self._pools_named(name)
        ours = [pool for pool in candidates if self._owned(pool)]
        if len(ours) > 1:
            ids = ", ".join(pool["IdentityPoolId"] for pool in ours)
            self.module.fail_json(
                msg=f"several identity pools named {name!r} carry the ownership tag ({ids}): "
                "set identity_pool_id to choose one"
            )
        if ours:
            return ours[0], None
        foreign = [pool for pool in candidates if not self._owned(pool)]
        if not foreign:
            return None, None
        if not self.params["force"]:
            return None, foreign[0]
        if len(foreign) > 1:
            self.module.fail_json(msg=f"several untagged identity pools are named {name!r}: set identity_pool_id")
        return foreign[0], None

    def _foreign_message(self, foreign, action):
        return (
            f"identity pool {self.params['name']!r} ({foreign['IdentityPoolId']}) exists without the tag "
            f"{self.owner_key}={self.owner_value}, so it was not made by this automation (a manual lab?): "
            f"not {action} it; delete or rename it, or set force to {action} it anyway"
        )

    def _roles(self, pool_id):
        return self.client.get_identity_pool_roles(aws_retry=True, IdentityPoolId=pool_id).get("Roles") or {}

    def _arn(self, pool_id):
        caller = self.sts.get_caller_identity(aws_retry=True)
        partition = caller["Arn"].split(":")[1]
        region = pool_id.split(":")[0]
        return f"arn:{partition}:cognito-identity:{region}:{caller['Account']}:identitypool/{pool_id}"

    def _view(self, pool, roles):
        return {
            "name": pool["IdentityPoolName"],
            "allow_unauthenticated_identities": bool(pool.get("AllowUnauthenticatedIdentities")),
            "allow_classic_flow": bool(pool.get("AllowClassicFlow")),
            "roles": dict(sorted(roles.items())),
            "tags": dict(sorted((pool.get("IdentityPoolTags") or {}).items())),
        }

    def _wanted_tags(self):
        tags = dict(self.params["tags"] or {})
        tags[self.owner_key] = self.owner_value
        return tags

    def _tag_changes(self, current):
        """amazon.aws semantics: with O(tags) left out only the ownership tag is ensured, nothing purged."""
        if self.params["tags"] is None:
            return compare_aws_tags(current, {self.owner_key: self.owner_value}, purge_tags=False)
        return compare_aws_tags(current, self._wanted_tags(), purge_tags=self.params["purge_tags"])

    # -- changing --------------------------------------------------------------------------------------

    def present(self):
        pool, foreign = self.find()
        if foreign:
            self.module.fail_json(msg=self._foreign_message(foreign, "taking over"))
        wanted_roles = {k: v for k, v in (self.params["roles"] or {}).items() if v}
        if pool is None:
            after = {
                "name": self.params["name"],
                "allow_unauthenticated_identities": self.params["allow_unauthenticated_identities"],
                "allow_classic_flow": self.params["allow_classic_flow"],
                "roles": dict(sorted(wanted_roles.items())),
                "tags": dict(sorted(self._wanted_tags().items())),
            }
            self.changed = True
            if self.module.check_mode:
                return self._result(None, {}, after)
            pool = self.client.create_identity_pool(
                aws_retry=True,
                IdentityPoolName=self.params["name"],
                AllowUnauthenticatedIdentities=self.params["allow_unauthenticated_identities"],
                AllowClassicFlow=self.params["allow_classic_flow"],
                IdentityPoolTags=self._wanted_tags(),
            )
            if wanted_roles:
                self.client.set_identity_pool_roles(
                    aws_retry=True, IdentityPoolId=pool["IdentityPoolId"], Roles=wanted_roles
                )
            return self._result(pool["IdentityPoolId"], {}, after)

        pool_id = pool["IdentityPoolId"]
        roles = self._roles(pool_id)
        before = self._view(pool, roles)

        settings_differ = (
            before["allow_unauthenticated_identities"] != self.params["allow_unauthenticated_identities"]
            or before["allow_classic_flow"] != self.params["allow_classic_flow"]
        )
        if settings_differ:
            self.changed = True
            if not self.module.check_mode:
                update = {
                    key: pool[key]
                    for key in (
                        "SupportedLoginProviders",
                        "DeveloperProviderName",
                        "OpenIdConnectProviderARNs",
                        "CognitoIdentityProviders",
                        "SamlProviderARNs",
                    )
                    if pool.get(key)
                }
                self.client.update_identity_pool(
                    aws_retry=True,
                    IdentityPoolId=pool_id,
                    IdentityPoolName=pool["IdentityPoolName"],
                    AllowUnauthenticatedIdentities=self.params["allow_unauthenticated_identities"],
                    AllowClassicFlow=self.params["allow_classic_flow"],
                    **update,
                )

        if self.params["roles"] is not None and roles != wanted_roles:
            self.changed = True
            if not self.module.check_mode:
                self.client.set_identity_pool_roles(aws_retry=True, IdentityPoolId=pool_id, Roles=wanted_roles)

        current_tags = pool.get("IdentityPoolTags") or {}
        to_set, to_remove = self._tag_changes(current_tags)
        if to_set or to_remove:
            self.changed = True
            if not self.module.check_mode:
                arn = self._arn(pool_id)
                if to_remove:
                    self.client.untag_resource(aws_retry=True, ResourceArn=arn, TagKeys=to_remove)
                if to_set:
                    self.client.tag_resource(aws_retry=True, ResourceArn=arn, Tags=to_set)

        if self.module.check_mode:
            after = dict(before)
            after.update(
                allow_unauthenticated_identities=self.params["allow_unauthenticated_identities"],
                allow_classic_flow=self.params["allow_classic_flow"],
            )
            if self.params["roles"] is not None:
                after["roles"] = dict(sorted(wanted_roles.items()))
            tags = {k: v for k, v in current_tags.items() if k not in to_remove}
            tags.update(to_set)
            after["tags"] = dict(sorted(tags.items()))
        else:
            after = self._view(self._describe(pool_id), self._roles(pool_id))
        return self._result(pool_id, before, after)

    def absent(self):
        pool, foreign = self.find()
        if pool is None:
            result = {"changed": False, "identity_pool_id": None, "diff": {"before": {}, "after": {}}}
            if foreign:
                # Refusing is a normal outcome of teardown: say so, and let the caller report it.
                result.update(
                    kept_foreign_pool_id=foreign["IdentityPoolId"], msg=self._foreign_message(foreign, "deleting")
                )
            return result
        pool_id = pool["IdentityPoolId"]
        before = self._view(pool, self._roles(pool_id))
        if not self.module.check_mode:
            try:
                self.client.delete_identity_pool(aws_retry=True, IdentityPoolId=pool_id)
            except is_boto3_error_code("ResourceNotFoundException"):
                pass
        return {"changed": True, "identity_pool_id": None, "diff": {"before": before, "after": {}}}

    def _result(self, pool_id, before, after):
        result = {
            "changed": self.changed,
            "identity_pool_id": pool_id,
            "identity_pool": after,
            "diff": {"before": before, "after": after},
        }
        if pool_id:
            result["identity_pool_arn"] = self._arn(pool_id)
        return result


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        identity_pool_id=dict(type="str"),
        allow_unauthenticated_identities=dict(type="bool", default=False),
        allow_classic_flow=dict(type="bool", default=False),
        roles=dict(
            type="dict",
            options=dict(authenticated=dict(type="str"), unauthenticated=dict(type="str")),
        ),
        owner_tag=dict(type="dict", required=True),
        force=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if len(module.params["owner_tag"]) != 1:
        module.fail_json(msg="owner_tag must hold exactly one key: value pair")

    pool = IdentityPool(
        module,
        module.client("cognito-identity", retry_decorator=RETRY),
        module.client("sts", retry_decorator=RETRY),
    )
    try:
        result = pool.present() if module.params["state"] == "present" else pool.absent()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to manage identity pool {module.params['name']!r}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
