#!/usr/bin/python
# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: guest_access_check
version_added: 0.1.0
short_description: Sign in as a guest of an identity pool with the basic flow and test its stream access
description:
  - Does what the unicorn dashboard does, without a browser. Unsigned GetId and GetOpenIdToken on the
    identity pool, then unsigned STS AssumeRoleWithWebIdentity with the unauth role.
  - With those guest credentials it tries every read the dashboard needs (DescribeStreamSummary, ListShards,
    GetShardIterator, GetRecords) and one write (PutRecord, which must be denied).
  - It also checks enhanced fan-out access (issue 13) as a reader with its own consumer needs it. Guests may
    DescribeStreamConsumer on the stream's consumers (for a consumer that does not exist, AWS's
    ResourceNotFoundException comes after the permission check, so it counts as allowed; AccessDeniedException as
    refused) and must not be able to RegisterStreamConsumer.
  - Changes nothing when guests are as restricted as they should be. Were PutRecord allowed, the one record it
    wrote (partition key V(verify)) is the proof; were RegisterStreamConsumer allowed, the probe consumer it
    registered is deregistered at once with the module's own credentials. Neither write is tried in check mode.
  - Every client, the unsigned and the guest ones included, is built with the module's connection settings
    (O(endpoint_url), O(profile), O(validate_certs), O(aws_ca_bundle), O(aws_config)).
author:
  - Wild Rydes lab maintainers (@wildrydes-lab)
options:
  identity_pool_id:
    description: Id of the identity pool.
    required: true
    type: str
  unauth_role_arn:
    description: ARN of the pool's role for unauthenticated identities.
    required: true
    type: str
  stream_name:
    description: The stream guests should be able to read.
    required: true
    type: str
  consumer_name:
    description:
      - Name of the stream consumer the enhanced fan-out checks use. It need not exist (and normally does not).
    default: wildrydes-verify-probe
    type: str
  propagation_timeout:
    description:
      - Seconds to keep retrying a guest sign-in or read that IAM refuses. New roles, trust policies and policies
        take effect only after a delay (IAM is eventually consistent), so right after setup AWS may refuse what it
        will allow a few seconds later. A refusal that lasts longer is reported.
    default: 60
    type: int
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Each run signs in as a new guest identity (GetId without logins), as each visitor of the dashboard does.
"""

EXAMPLES = r"""
- name: Check what a dashboard guest can do
  wildrydes.lab.guest_access_check:
    identity_pool_id: us-east-1:8d3c1b0e-7d5b-4a51-9a3e-0c1f1b5e2a11
    unauth_role_arn: arn:aws:iam::123456789012:role/Cognito_wildrydesUnauth_Role
    stream_name: wildrydes
  register: guest

- name: Fail unless guests may read but not write
  ansible.builtin.assert:
    that:
      - guest.can_read
      - not guest.can_write
      - guest.can_describe_consumers
      - not guest.can_register_consumer
"""

RETURN = r"""
can_read:
  description:
    - Every read the dashboard needs succeeded (DescribeStreamSummary, ListShards, GetShardIterator, GetRecords).
  returned: always
  type: bool
  sample: true
can_write:
  description: PutRecord with guest credentials succeeded (it must not). V(false) in check mode, where it is not tried.
  returned: always
  type: bool
  sample: false
can_describe_consumers:
  description: DescribeStreamConsumer with guest credentials was allowed (answered, or ResourceNotFoundException).
  returned: always
  type: bool
  sample: true
can_register_consumer:
  description:
    - RegisterStreamConsumer with guest credentials was allowed (it must not be). V(false) in check mode, where it is
      not tried.
  returned: always
  type: bool
  sample: false
checks:
  description:
    - Each call tried, by API name, with V(allowed) or the error code AWS answered (such as V(AccessDeniedException)).
    - V(allowed) for DescribeStreamConsumer also when AWS answered ResourceNotFoundException (permission granted,
      no such consumer), and for RegisterStreamConsumer also when it answered ResourceInUseException.
    - Calls that could not be tried (no shard to read, check mode) are left out.
  returned: always
  type: dict
  sample:
    DescribeStreamSummary: allowed
    ListShards: allowed
    GetShardIterator: allowed
    GetRecords: allowed
    DescribeStreamConsumer: allowed
    PutRecord: AccessDeniedException
    RegisterStreamConsumer: AccessDeniedException
identity_id:
  description:
    - The Cognito identity the guest signed in as (GetId on the pool, without logins), as C(region:uuid).
    - A new unauthenticated identity of the pool; the dashboard makes one per visitor the same way.
  returned: always
  type: str
  sample: us-east-1:6a1e3bd8-1d0c-4a6d-9c4e-2a6f9b4e1f0d
stream_arn:
  description: ARN of the stream the checks ran on.
  returned: always
  type: str
  sample: arn:aws:kinesis:us-east-1:123456789012:stream/wildrydes
waited_seconds:
  description: How long IAM refused the guest before the new role or policy took effect (0 when it never did).
  returned: always
  type: float
  sample: 0.0
"""

try:
    import botocore
    from botocore.config import Config
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.wildrydes.lab.plugins.module_utils.guest import GuestCheck


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            identity_pool_id=dict(type="str", required=True),
            unauth_role_arn=dict(type="str", required=True),
            stream_name=dict(type="str", required=True),
            consumer_name=dict(type="str", default="wildrydes-verify-probe"),
            propagation_timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    # Guests hold no credentials: these calls are unsigned, exactly as in the browser. Throttling is retried by
    # botocore's standard mode; refusals are not retried there but by the check, which knows IAM's delay.
    calls = Config(retries={"max_attempts": 3, "mode": "standard"})
    unsigned = calls.merge(Config(signature_version=botocore.UNSIGNED))

    def guest_kinesis(credentials):
        return module.client(
            "kinesis",
            config=calls,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )

    check = GuestCheck(
        module,
        cognito=module.client("cognito-identity", config=unsigned),
        sts=module.client("sts", config=unsigned),
        guest_kinesis=guest_kinesis,
        own_kinesis=module.client(
            "kinesis", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["ResourceInUseException"])
        ),
    )
    try:
        result = check.run()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"guest access check failed for identity pool {module.params['identity_pool_id']}")
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
