# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Compare-then-change for one Kinesis data stream (the kinesis_stream module's work).

Each setting is compared with the stream as it is and changed only when it differs; in check mode the same steps
run on a predicted view instead of calling AWS, so check mode and diff report exactly what a real run would do.
"""

from __future__ import annotations

import copy

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.wildrydes.lab.plugins.module_utils.kinesis import describe, describe_summary, wait_for


def _chunks(items, size):
    return [items[start : start + size] for start in range(0, len(items), size)]


def _tag_limit(client, operation, member):
    """How many tags one call takes, as botocore's service model declares it."""
    shape = client.meta.service_model.operation_model(operation).input_shape.members[member]
    return int(shape.metadata.get("max", 10))


def invalid_params(params):
    """What is wrong with the options before any call is made (the argument spec cannot say it), or None."""
    if params["stream_mode"] == "ON_DEMAND" and params["shards"] is not None:
        return "shards is for PROVISIONED streams: AWS sizes an ON_DEMAND stream itself"
    if params["shards"] is not None and params["shards"] < 1:
        return f"shards must be at least 1, not {params['shards']}"
    # The range Kinesis accepts (botocore's model says only "minimum 1").
    if params["retention_period"] is not None and not 24 <= params["retention_period"] <= 8760:
        return f"retention_period must be from 24 to 8760 hours, not {params['retention_period']}"
    return None


class StreamManager:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.name = module.params["name"]
        self.changed = False

    # -- waiting ---------------------------------------------------------------------------------------

    def _wait_active(self):
        wait_for(self.client, "stream_exists", self.name, self.params["wait_timeout"])

    def _settle(self, view):
        """Kinesis refuses a change while another runs: wait for ACTIVE, then look again."""
        if view["stream_status"] == "ACTIVE" or self.module.check_mode:
            return view
        self._wait_active()
        return describe(self.client, self.name)

    # -- present ---------------------------------------------------------------------------------------

    def present(self):
        current = describe(self.client, self.name)
        if current is not None and current["stream_status"] == "DELETING":
            # A stream being deleted cannot be changed; once it is gone it is created anew.
            if not self.module.check_mode:
                wait_for(self.client, "stream_not_exists", self.name, self.params["wait_timeout"])
            current = None
        if current is None:
            return self._create()
        before = copy.deepcopy(current)
        view = self._settle(current)
        view = self._mode(view)
        view = self._shards(view)
        view = self._retention(view)
        view = self._encryption(view)
        view = self._tags(view)
        if self.changed and not self.module.check_mode:
            view = describe(self.client, self.name)
        return self._result(before, view)

    def _create(self):
        params = self.params
        mode = params["stream_mode"] or "PROVISIONED"
        if mode == "PROVISIONED" and params["shards"] is None:
            self.module.fail_json(msg=f"stream {self.name!r} does not exist: shards is needed to create it PROVISIONED")
        self.changed = True
        tags = params["tags"] or {}
        # What CreateStream makes; retention and encryption are changed afterwards like on any stream.
        view = {
            "stream_name": self.name,
            "stream_arn": None,
            "stream_status": "CREATING",
            "stream_mode": mode,
            # AWS picks an on-demand stream's first shard count itself.
            "open_shard_count": params["shards"] if mode == "PROVISIONED" else None,
            "retention_period_hours": 24,
            "encryption_type": "NONE",
            "key_id": None,
            "consumer_count": 0,
            "tags": dict(sorted(tags.items())),
        }
        if not self.module.check_mode:
            request = {"StreamName": self.name, "StreamModeDetails": {"StreamMode": mode}}
            if mode == "PROVISIONED":
                request["ShardCount"] = params["shards"]
            if tags:
                request["Tags"] = tags
            self.client.create_stream(aws_retry=True, **request)
            more = params["retention_period"] not in (None, 24) or params["encryption_state"] == "enabled"
            if params["wait"] or more:
                self._wait_active()
            view = describe(self.client, self.name)
        elif params["wait"]:
            view["stream_status"] = "ACTIVE"
        after = self._encryption(self._retention(view))
        if after is not view and not self.module.check_mode:
            after = describe(self.client, self.name)
        return self._result({}, after)

    def _mode(self, view):
        wanted = self.params["stream_mode"]
        if wanted is None or wanted == view["stream_mode"]:
            return view
        self.changed = True
        if self.module.check_mode:
            return {**view, "stream_mode": wanted}
        self.client.update_stream_mode(
            aws_retry=True, StreamARN=view["stream_arn"], StreamModeDetails={"StreamMode": wanted}
        )
        self._wait_active()
        return describe(self.client, self.name)

    def _shards(self, view):
        wanted = self.params["shards"]
        if wanted is None or view["stream_mode"] != "PROVISIONED" or wanted == view["open_shard_count"]:
            return view
        self.changed = True
        if self.module.check_mode:
            return {**view, "open_shard_count": wanted}
        self.client.update_shard_count(
            aws_retry=True, StreamName=self.name, TargetShardCount=wanted, ScalingType="UNIFORM_SCALING"
        )
        self._wait_active()
        return describe(self.client, self.name)

    def _retention(self, view):
        wanted = self.params["retention_period"]
        if wanted is None or wanted == view["retention_period_hours"]:
            return view
        self.changed = True
        if self.module.check_mode:
            return {**view, "retention_period_hours": wanted}
        if wanted > view["retention_period_hours"]:
            self.client.increase_stream_retention_period(
                aws_retry=True, StreamName=self.name, RetentionPeriodHours=wanted
            )
        else:
            self.client.decrease_stream_retention_period(
                aws_retry=True, StreamName=self.name, RetentionPeriodHours=wanted
            )
        self._wait_active()
        return {**view, "retention_period_hours": wanted}

    def _encryption(self, view):
        state = self.params["encryption_state"]
        if state == "enabled":
            wanted = (self.params["encryption_type"], self.params["key_id"])
            if (view["encryption_type"], view["key_id"]) == wanted:
                return view
            self.changed = True
            if not self.module.check_mode:
                # StartStreamEncryption also moves an encrypted stream to another key.
                self.client.start_stream_encryption(
                    aws_retry=True, StreamName=self.name, EncryptionType=wanted[0], KeyId=wanted[1]
                )
                self._wait_active()
            return {**view, "encryption_type": wanted[0], "key_id": wanted[1]}
        if state == "disabled" and view["encryption_type"] != "NONE":
            self.changed = True
            if not self.module.check_mode:
                self.client.stop_stream_encryption(
                    aws_retry=True, StreamName=self.name, EncryptionType=view["encryption_type"], KeyId=view["key_id"]
                )
                self._wait_active()
            return {**view, "encryption_type": "NONE", "key_id": None}
        return view

    def _tags(self, view):
        if self.params["tags"] is None:
            return view  # amazon.aws semantics: tags left out are left alone, whatever purge_tags says
        current = view["tags"]
        to_set, to_remove = compare_aws_tags(current, self.params["tags"], purge_tags=self.params["purge_tags"])
        if not to_set and not to_remove:
            return view
        self.changed = True
        if not self.module.check_mode:
            for keys in _chunks(sorted(to_remove), _tag_limit(self.client, "RemoveTagsFromStream", "TagKeys")):
                self.client.remove_tags_from_stream(aws_retry=True, StreamName=self.name, TagKeys=keys)
            items = sorted(to_set.items())
            for chunk in _chunks(items, _tag_limit(self.client, "AddTagsToStream", "Tags")):
                self.client.add_tags_to_stream(aws_retry=True, StreamName=self.name, Tags=dict(chunk))
        tags = {key: value for key, value in current.items() if key not in to_remove}
        tags.update(to_set)
        return {**view, "tags": dict(sorted(tags.items()))}

    # -- absent ----------------------------------------------------------------------------------------

    def absent(self):
        summary = describe_summary(self.client, self.name)
        if summary is None:
            return self._result({}, {})
        before = describe(self.client, self.name) or {}
        if summary["StreamStatus"] != "DELETING":
            self.changed = True
            if not self.module.check_mode:
                self.client.delete_stream(
                    aws_retry=True,
                    StreamName=self.name,
                    EnforceConsumerDeletion=self.params["enforce_consumer_deletion"],
                )
        if self.params["wait"] and not self.module.check_mode:
            wait_for(self.client, "stream_not_exists", self.name, self.params["wait_timeout"])
        return self._result(before, {})

    def _result(self, before, after):
        return {
            "changed": self.changed,
            "stream_arn": after.get("stream_arn"),
            "stream": after,
            "diff": {"before": before, "after": after},
        }
