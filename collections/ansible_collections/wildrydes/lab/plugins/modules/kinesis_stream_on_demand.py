#!/usr/bin/python
# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: kinesis_stream_on_demand
short_description: Create or update a Kinesis data stream in on-demand capacity mode
description:
  - M(community.aws.kinesis_stream) only knows provisioned streams (it compares open shards with a shard
    count). This module creates a stream in ON_DEMAND mode, switches an existing provisioned stream to it,
    and keeps its retention period and tags.
author:
  - Wild Rydes lab maintainers (@wildrydes-lab)
options:
  name:
    description: Name of the stream.
    required: true
    type: str
  retention_period:
    description: Hours records stay readable (24 to 8760).
    type: int
    default: 24
  tags:
    description: Tags the stream must carry.
    type: dict
    default: {}
  purge_tags:
    description: Remove tags not named in O(tags).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the stream to become ACTIVE.
    type: int
    default: 300
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: An on-demand stream for the workshop
  wildrydes.lab.kinesis_stream_on_demand:
    name: wildrydes
    tags:
      ManagedBy: wildrydes-lab
"""

RETURN = r"""
stream_arn:
  description: ARN of the stream (V(null) when check mode would create it).
  returned: always
  type: str
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def summary(client, name):
    try:
        return client.describe_stream_summary(aws_retry=True, StreamName=name)["StreamDescriptionSummary"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None


def wait_active(module, client, name):
    deadline = time.monotonic() + module.params["wait_timeout"]
    while time.monotonic() < deadline:
        current = summary(client, name)
        if current and current["StreamStatus"] == "ACTIVE":
            return current
        time.sleep(1)
    module.fail_json(msg=f"stream {name} did not become ACTIVE within {module.params['wait_timeout']} s")


def view(current, tags):
    return {
        "stream_mode": (current.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED"),
        "retention_period": current["RetentionPeriodHours"],
        "tags": tags,
    }


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            retention_period=dict(type="int", default=24),
            tags=dict(type="dict", default={}),
            purge_tags=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=300),
        ),
        supports_check_mode=True,
    )
    name, wanted_hours = module.params["name"], module.params["retention_period"]
    client = module.client(
        "kinesis", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["ResourceInUseException"])
    )
    changed = False
    try:
        current = summary(client, name)
        before = {}
        if current is None:
            changed = True
            if module.check_mode:
                module.exit_json(
                    changed=True, stream_arn=None, diff={"before": {}, "after": {"stream_mode": "ON_DEMAND"}}
                )
            client.create_stream(aws_retry=True, StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
            current = wait_active(module, client, name)
        else:
            before = view(current, {t["Key"]: t["Value"] for t in client.list_tags_for_stream(StreamName=name)["Tags"]})
            if before["stream_mode"] != "ON_DEMAND":
                changed = True
                if not module.check_mode:
                    client.update_stream_mode(
                        StreamARN=current["StreamARN"], StreamModeDetails={"StreamMode": "ON_DEMAND"}
                    )
                    current = wait_active(module, client, name)
        if current["RetentionPeriodHours"] != wanted_hours:
            changed = True
            if not module.check_mode:
                change = (
                    client.increase_stream_retention_period
                    if wanted_hours > current["RetentionPeriodHours"]
                    else client.decrease_stream_retention_period
                )
                change(aws_retry=True, StreamName=name, RetentionPeriodHours=wanted_hours)
                wait_active(module, client, name)
        current_tags = before.get("tags", {})
        to_set, to_remove = compare_aws_tags(
            current_tags, module.params["tags"], purge_tags=module.params["purge_tags"]
        )
        if to_set or to_remove:
            changed = True
            if not module.check_mode:
                if to_remove:
                    client.remove_tags_from_stream(aws_retry=True, StreamName=name, TagKeys=to_remove)
                if to_set:
                    client.add_tags_to_stream(aws_retry=True, StreamName=name, Tags=to_set)
        after = {
            "stream_mode": "ON_DEMAND",
            "retention_period": wanted_hours,
            "tags": {**{k: v for k, v in current_tags.items() if k not in to_remove}, **to_set},
        }
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Failed to manage on-demand stream {name!r}")
    module.exit_json(changed=changed, stream_arn=current["StreamARN"], diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
