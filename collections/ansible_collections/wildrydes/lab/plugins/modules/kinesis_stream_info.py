#!/usr/bin/python
# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: kinesis_stream_info
short_description: Describe one Kinesis data stream, its open shards and its tags
description:
  - Reports whether a Kinesis data stream exists and, if it does, its status, mode, retention,
    encryption, open shard count and tags. Changes nothing.
author:
  - Wild Rydes lab maintainers (@wildrydes-lab)
options:
  name:
    description:
      - Name of the stream.
    required: true
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Look at the workshop's stream
  wildrydes.lab.kinesis_stream_info:
    name: wildrydes
  register: stream

- name: Say how many shards are open
  ansible.builtin.debug:
    msg: "{{ stream.stream_status }} with {{ stream.open_shard_count }} open shards"
  when: stream.exists
"""

RETURN = r"""
exists:
  description: Whether the stream exists.
  returned: always
  type: bool
stream_arn:
  description: ARN of the stream.
  returned: when the stream exists
  type: str
stream_status:
  description: CREATING, ACTIVE, UPDATING or DELETING.
  returned: when the stream exists
  type: str
stream_mode:
  description: PROVISIONED or ON_DEMAND.
  returned: when the stream exists
  type: str
open_shard_count:
  description: Shards that accept records (those without an ending sequence number).
  returned: when the stream exists
  type: int
retention_period_hours:
  description: How long records stay readable.
  returned: when the stream exists
  type: int
encryption_type:
  description: NONE or KMS.
  returned: when the stream exists
  type: str
tags:
  description: Tags of the stream.
  returned: when the stream exists
  type: dict
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def describe(client, name):
    try:
        summary = client.describe_stream_summary(aws_retry=True, StreamName=name)["StreamDescriptionSummary"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return {"exists": False}
    shards = []
    for page in client.get_paginator("list_shards").paginate(StreamName=name):
        shards.extend(page["Shards"])
    open_shards = [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
    tags = client.list_tags_for_stream(aws_retry=True, StreamName=name).get("Tags", [])
    return {
        "exists": True,
        "stream_arn": summary["StreamARN"],
        "stream_status": summary["StreamStatus"],
        "stream_mode": (summary.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED"),
        "open_shard_count": len(open_shards),
        "retention_period_hours": summary["RetentionPeriodHours"],
        "encryption_type": summary.get("EncryptionType") or "NONE",
        "tags": {tag["Key"]: tag["Value"] for tag in tags},
    }


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    client = module.client("kinesis", retry_decorator=AWSRetry.jittered_backoff())
    try:
        result = describe(client, module.params["name"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to describe stream {module.params['name']!r}")
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
