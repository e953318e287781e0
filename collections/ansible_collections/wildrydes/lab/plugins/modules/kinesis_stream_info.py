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
  owner_tag:
    description:
      - Tags (usually one) that mark streams this automation made. With it the module says in RV(owned) whether
        the stream carries every one of them, so playbooks need not repeat that rule.
    type: dict
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

- name: Refuse a stream someone else made
  wildrydes.lab.kinesis_stream_info:
    name: wildrydes
    owner_tag:
      ManagedBy: wildrydes-lab
  register: stream
  failed_when: stream.exists and not stream.owned
"""

RETURN = r"""
exists:
  description: Whether the stream exists.
  returned: always
  type: bool
  sample: true
owned:
  description: Whether the stream exists and carries every tag of O(owner_tag).
  returned: when O(owner_tag) is set
  type: bool
  sample: true
stream_name:
  description: Name of the stream.
  returned: when the stream exists
  type: str
  sample: wildrydes
stream_arn:
  description: ARN of the stream.
  returned: when the stream exists
  type: str
  sample: arn:aws:kinesis:us-east-1:123456789012:stream/wildrydes
stream_status:
  description: V(CREATING), V(ACTIVE), V(UPDATING) or V(DELETING).
  returned: when the stream exists
  type: str
  sample: ACTIVE
stream_mode:
  description: V(PROVISIONED) or V(ON_DEMAND).
  returned: when the stream exists
  type: str
  sample: PROVISIONED
open_shard_count:
  description: Shards that accept records (those without an ending sequence number); 0 while V(CREATING).
  returned: when the stream exists
  type: int
  sample: 1
retention_period_hours:
  description: How long records stay readable.
  returned: when the stream exists
  type: int
  sample: 24
encryption_type:
  description: V(NONE) or V(KMS).
  returned: when the stream exists
  type: str
  sample: NONE
key_id:
  description: The KMS key the stream is encrypted with (V(null) when it is not encrypted).
  returned: when the stream exists
  type: str
  sample: alias/aws/kinesis
consumer_count:
  description: Registered enhanced fan-out consumers.
  returned: when the stream exists
  type: int
  sample: 0
tags:
  description: Tags of the stream.
  returned: when the stream exists
  type: dict
  sample: {"ManagedBy": "wildrydes-lab"}
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.wildrydes.lab.plugins.module_utils.kinesis import RETRY, describe, owned


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(name=dict(type="str", required=True), owner_tag=dict(type="dict")),
        supports_check_mode=True,
    )
    client = module.client("kinesis", retry_decorator=RETRY)
    try:
        stream = describe(client, module.params["name"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to describe stream {module.params['name']!r}")
    result = {"exists": stream is not None, **(stream or {})}
    if module.params["owner_tag"] is not None:
        result["owned"] = stream is not None and owned(stream["tags"], module.params["owner_tag"])
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
