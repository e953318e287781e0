#!/usr/bin/python
# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: kinesis_stream
short_description: Create, update or delete a Kinesis data stream, in provisioned or on-demand mode
version_added: 1.0.0
description:
  - Creates, updates and deletes one Kinesis data stream, compare-then-change, so a re-run reports no change.
  - Switches a stream between V(PROVISIONED) and V(ON_DEMAND) capacity, reshards a provisioned stream
    (UpdateShardCount with uniform scaling), changes its retention period and its server-side encryption,
    and manages its tags with the semantics of the amazon.aws collection (O(tags) and O(purge_tags)).
  - Options left out leave that setting of an existing stream as it is.
  - Waits with botocore's Kinesis waiters (C(stream_exists), C(stream_not_exists)) rather than sleeping.
  - M(community.aws.kinesis_stream) only knows provisioned streams; this module owns the stream's whole life.
author:
  - Wild Rydes lab maintainers (@wildrydes-lab)
options:
  name:
    description: Name of the stream.
    required: true
    type: str
  state:
    description: Create or update the stream (V(present)), or delete it (V(absent)).
    choices: [present, absent]
    default: present
    type: str
  stream_mode:
    description:
      - Capacity mode. Omitted, an existing stream keeps its mode and a new one is V(PROVISIONED).
      - AWS allows two mode switches per stream in 24 hours.
    choices: [PROVISIONED, ON_DEMAND]
    type: str
  shards:
    description:
      - Open shards of a V(PROVISIONED) stream. Required to create one; a change reshards the stream.
      - Not allowed with O(stream_mode=ON_DEMAND), where AWS sizes the stream.
    type: int
  retention_period:
    description: Hours records stay readable, 24 to 8760. Omitted, a new stream gets AWS's 24.
    type: int
  encryption_state:
    description: Server-side encryption on (V(enabled)) or off (V(disabled)). Omitted, left as it is.
    choices: [enabled, disabled]
    type: str
  encryption_type:
    description: The encryption to use when O(encryption_state=enabled); Kinesis knows only V(KMS).
    choices: [KMS]
    default: KMS
    type: str
  key_id:
    description:
      - The KMS key (id, ARN, alias name or alias ARN) to encrypt with, such as V(alias/aws/kinesis).
      - Required when O(encryption_state=enabled).
    type: str
  enforce_consumer_deletion:
    description: With O(state=absent), delete a stream that still has registered consumers (and them with it).
    type: bool
    default: false
  wait:
    description:
      - Wait until the stream is V(ACTIVE) (or, for O(state=absent), gone) before returning.
      - A stream is always waited for between two changes, since Kinesis refuses a change while another runs.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for each change to finish.
    type: int
    default: 300
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - Support for check mode and diff mode is full (C(diff) shows the stream before and after).
"""

EXAMPLES = r"""
- name: A one-shard provisioned stream for the workshop
  wildrydes.lab.kinesis_stream:
    name: wildrydes
    shards: 1
    tags:
      ManagedBy: wildrydes-lab

- name: The same stream in on-demand mode, kept for 48 hours, encrypted with the AWS managed key
  wildrydes.lab.kinesis_stream:
    name: wildrydes
    stream_mode: ON_DEMAND
    retention_period: 48
    encryption_state: enabled
    key_id: alias/aws/kinesis

- name: Add a tag, leaving the others alone
  wildrydes.lab.kinesis_stream:
    name: wildrydes
    tags:
      Class: 2026-11
    purge_tags: false

- name: Delete it
  wildrydes.lab.kinesis_stream:
    name: wildrydes
    state: absent
"""

RETURN = r"""
stream_arn:
  description: ARN of the stream (V(null) when it is absent, or when check mode would create it).
  returned: always
  type: str
  sample: arn:aws:kinesis:us-east-1:123456789012:stream/wildrydes
stream:
  description: The stream as the module leaves it (predicted in check mode; empty when absent).
  returned: always
  type: dict
  contains:
    stream_name:
      description: Name of the stream.
      returned: when the stream exists
      type: str
      sample: wildrydes
    stream_arn:
      description: ARN of the stream (V(null) when check mode would create it).
      returned: when the stream exists
      type: str
    stream_status:
      description: V(CREATING), V(ACTIVE), V(UPDATING) or V(DELETING).
      returned: when the stream exists
      type: str
      sample: ACTIVE
    stream_mode:
      description: V(PROVISIONED) or V(ON_DEMAND).
      returned: when the stream exists
      type: str
    open_shard_count:
      description: Shards that accept records.
      returned: when the stream exists
      type: int
      sample: 1
    retention_period_hours:
      description: Hours records stay readable.
      returned: when the stream exists
      type: int
      sample: 24
    encryption_type:
      description: V(NONE) or V(KMS).
      returned: when the stream exists
      type: str
    key_id:
      description: The KMS key the stream is encrypted with (V(null) when it is not).
      returned: when the stream exists
      type: str
    consumer_count:
      description: Registered enhanced fan-out consumers.
      returned: when the stream exists
      type: int
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
from ansible_collections.wildrydes.lab.plugins.module_utils.kinesis import RETRY
from ansible_collections.wildrydes.lab.plugins.module_utils.kinesis_stream import StreamManager, invalid_params


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        stream_mode=dict(type="str", choices=["PROVISIONED", "ON_DEMAND"]),
        shards=dict(type="int"),
        retention_period=dict(type="int"),
        encryption_state=dict(type="str", choices=["enabled", "disabled"]),
        encryption_type=dict(type="str", default="KMS", choices=["KMS"]),
        key_id=dict(type="str", no_log=False),
        enforce_consumer_deletion=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("encryption_state", "enabled", ["key_id"])],
    )
    params = module.params
    problem = invalid_params(params)
    if problem:
        module.fail_json(msg=problem)

    manager = StreamManager(module, module.client("kinesis", retry_decorator=RETRY))
    try:
        result = manager.present() if params["state"] == "present" else manager.absent()
    except botocore.exceptions.WaiterError as e:
        module.fail_json_aws(e, msg=f"Stream {params['name']!r} did not settle within {params['wait_timeout']} s")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to manage stream {params['name']!r}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
