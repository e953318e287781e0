#!/usr/bin/python
# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: guest_access_check
short_description: Sign in as a guest of an identity pool with the basic flow and test its stream access
description:
  - Does what the unicorn dashboard does, without a browser. Unsigned GetId and GetOpenIdToken on the
    identity pool, then unsigned STS AssumeRoleWithWebIdentity with the unauth role.
  - With those guest credentials it tries every read the dashboard needs (DescribeStreamSummary, ListShards,
    GetShardIterator, GetRecords) and one write (PutRecord, which must be denied). Writes nothing when the
    write is denied, as it should be; a write that succeeds is reported as a failure of least privilege.
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
"""

EXAMPLES = r"""
- name: Check what a dashboard guest can do
  wildrydes.lab.guest_access_check:
    identity_pool_id: us-east-1:8d3c1b0e-7d5b-4a51-9a3e-0c1f1b5e2a11
    unauth_role_arn: arn:aws:iam::123456789012:role/Cognito_wildrydesUnauth_Role
    stream_name: wildrydes
  register: guest
"""

RETURN = r"""
can_read:
  description: Every read the dashboard needs succeeded.
  returned: always
  type: bool
can_write:
  description: PutRecord with guest credentials succeeded (it must not).
  returned: always
  type: bool
checks:
  description: Each call tried, with V(allowed) or the error code AWS answered.
  returned: always
  type: dict
identity_id:
  description: The Cognito identity the guest signed in as.
  returned: always
  type: str
waited_seconds:
  description: How long IAM refused the guest before the new role or policy took effect (0 when it never did).
  returned: always
  type: float
"""

import time

try:
    import boto3
    import botocore
    from botocore.config import Config
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

# What IAM answers while a new role, trust or policy has not taken effect yet.
NOT_YET = {"AccessDenied", "AccessDeniedException", "InvalidIdentityToken"}


def until_propagated(deadline, call):
    """Call again, with growing pauses, while IAM refuses and the deadline has not passed.
    Returns the answer and how long IAM refused."""
    pause, started, refused_until = 0.5, time.monotonic(), None
    while True:
        try:
            answer = call()
            return answer, (refused_until or started) - started
        except botocore.exceptions.ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code not in NOT_YET or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        refused_until = time.monotonic()
        pause = min(pause * 2, 5.0)


def attempt(checks, name, call):
    try:
        result = call()
    except botocore.exceptions.ClientError as error:
        checks[name] = error.response.get("Error", {}).get("Code", "error")
        return None
    checks[name] = "allowed"
    return result


def read_checks(kinesis, stream):
    """Every read the dashboard makes, in its order: name -> "allowed" or the error code."""
    checks = {}
    attempt(checks, "DescribeStreamSummary", lambda: kinesis.describe_stream_summary(StreamName=stream))
    shards = attempt(checks, "ListShards", lambda: kinesis.list_shards(StreamName=stream)) or {"Shards": []}
    iterator = None
    if shards["Shards"]:
        shard_id = shards["Shards"][0]["ShardId"]
        iterator = attempt(
            checks,
            "GetShardIterator",
            lambda: kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id, ShardIteratorType="LATEST"),
        )
    if iterator:
        attempt(checks, "GetRecords", lambda: kinesis.get_records(ShardIterator=iterator["ShardIterator"], Limit=1))
    return checks


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            identity_pool_id=dict(type="str", required=True),
            unauth_role_arn=dict(type="str", required=True),
            stream_name=dict(type="str", required=True),
            propagation_timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    region, endpoint_url, _ = get_aws_connection_info(module)
    # Guests hold no credentials: these calls are unsigned, exactly as in the browser.
    unsigned = Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 3, "mode": "standard"})
    cognito = boto3.client("cognito-identity", region_name=region, endpoint_url=endpoint_url, config=unsigned)
    sts = boto3.client("sts", region_name=region, endpoint_url=endpoint_url, config=unsigned)
    pool_id, stream = module.params["identity_pool_id"], module.params["stream_name"]
    started = time.monotonic()
    deadline = started + module.params["propagation_timeout"]
    waited = 0.0
    try:
        identity_id = cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]

        def sign_in():
            token = cognito.get_open_id_token(IdentityId=identity_id)["Token"]
            return sts.assume_role_with_web_identity(
                RoleArn=module.params["unauth_role_arn"], RoleSessionName="wildrydes-verify", WebIdentityToken=token
            )["Credentials"]

        credentials, waited = until_propagated(deadline, sign_in)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"guest sign-in with the basic flow failed for identity pool {pool_id}")

    kinesis = boto3.client(
        "kinesis",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        config=Config(retries={"max_attempts": 3, "mode": "standard"}),
    )
    reads = ("DescribeStreamSummary", "ListShards", "GetShardIterator", "GetRecords")
    pause = 0.5
    while True:
        checks = read_checks(kinesis, stream)
        can_read = all(checks.get(name) == "allowed" for name in reads)
        refused = any(checks.get(name) in NOT_YET for name in reads)
        if can_read or not refused or time.monotonic() + pause > deadline:
            break
        time.sleep(pause)  # the policy may not have taken effect yet
        waited += pause
        pause = min(pause * 2, 5.0)
    can_write = False
    if not module.check_mode:
        # Must be denied. Were it allowed, this one record (partition key "verify") is the proof.
        attempt(
            checks,
            "PutRecord",
            lambda: kinesis.put_record(StreamName=stream, PartitionKey="verify", Data=b'{"verify": true}'),
        )
        can_write = checks["PutRecord"] == "allowed"
    module.exit_json(
        changed=False,
        can_read=can_read,
        can_write=can_write,
        checks=checks,
        identity_id=identity_id,
        waited_seconds=round(waited, 1),
    )


if __name__ == "__main__":
    main()
