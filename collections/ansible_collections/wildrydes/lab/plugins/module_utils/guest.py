# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a guest of the identity pool can do with the stream (the guest_access_check module's work)."""

from __future__ import annotations

import time

try:
    import botocore
except ImportError:
    pass  # the module's AnsibleAWSModule reports a missing botocore

# What IAM answers while a new role, trust or policy has not taken effect yet.
NOT_YET = frozenset({"AccessDenied", "AccessDeniedException", "InvalidIdentityToken"})
READS = ("DescribeStreamSummary", "ListShards", "GetShardIterator", "GetRecords")


def error_code(error):
    return error.response.get("Error", {}).get("Code", "error")


def attempt(checks, name, call, allowed_codes=()):
    """Make one guest call; record "allowed" or AWS's error code under `name`. Returns the answer or None.

    `allowed_codes` are errors AWS only gives after the permission check passed (the request was authorised)."""
    try:
        result = call()
    except botocore.exceptions.ClientError as error:
        code = error_code(error)
        checks[name] = "allowed" if code in allowed_codes else code
        return None
    checks[name] = "allowed"
    return result


def read_checks(kinesis, stream):
    """Every read the dashboard makes, in its order. Returns the checks and the stream's ARN (None if unread)."""
    checks = {}
    summary = attempt(checks, "DescribeStreamSummary", lambda: kinesis.describe_stream_summary(StreamName=stream))
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
    arn = summary["StreamDescriptionSummary"]["StreamARN"] if summary else None
    return checks, arn


class GuestCheck:
    """Sign in as a guest, then try the dashboard's reads, one write and the enhanced fan-out calls.

    `guest_kinesis(credentials)` builds a Kinesis client with the guest's credentials; `own_kinesis` uses the
    module's own and serves only to find the stream's ARN when guests cannot, and to undo a registration that
    should have been refused. `clock` and `sleep` are time.monotonic and time.sleep unless a test says otherwise.
    """

    def __init__(self, module, cognito, sts, guest_kinesis, own_kinesis, clock=time.monotonic, sleep=time.sleep):
        self.module = module
        self.params = module.params
        self.cognito = cognito
        self.sts = sts
        self.guest_kinesis = guest_kinesis
        self.own_kinesis = own_kinesis
        self.clock = clock
        self.sleep = sleep

    def _until_propagated(self, deadline, call):
        """Call again, with growing pauses, while IAM refuses and the deadline has not passed.
        Returns the answer and how long IAM refused."""
        pause, started, refused_until = 0.5, self.clock(), None
        while True:
            try:
                answer = call()
                return answer, (refused_until or started) - started
            except botocore.exceptions.ClientError as error:
                if error_code(error) not in NOT_YET or self.clock() + pause > deadline:
                    raise
            self.sleep(pause)
            refused_until = self.clock()
            pause = min(pause * 2, 5.0)

    def sign_in(self, deadline):
        pool_id = self.params["identity_pool_id"]
        try:
            identity_id = self.cognito.get_id(IdentityPoolId=pool_id)["IdentityId"]

            def assume():
                token = self.cognito.get_open_id_token(IdentityId=identity_id)["Token"]
                return self.sts.assume_role_with_web_identity(
                    RoleArn=self.params["unauth_role_arn"],
                    RoleSessionName="wildrydes-verify",
                    WebIdentityToken=token,
                )["Credentials"]

            credentials, waited = self._until_propagated(deadline, assume)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"guest sign-in with the basic flow failed for identity pool {pool_id}")
        return identity_id, credentials, waited

    def _reads(self, kinesis, deadline):
        stream = self.params["stream_name"]
        pause, waited = 0.5, 0.0
        while True:
            checks, arn = read_checks(kinesis, stream)
            can_read = all(checks.get(name) == "allowed" for name in READS)
            refused = any(checks.get(name) in NOT_YET for name in READS)
            if can_read or not refused or self.clock() + pause > deadline:
                return checks, arn, can_read, waited
            self.sleep(pause)  # the policy may not have taken effect yet
            waited += pause
            pause = min(pause * 2, 5.0)

    def _consumer_checks(self, kinesis, checks, arn):
        consumer = self.params["consumer_name"]
        attempt(
            checks,
            "DescribeStreamConsumer",
            lambda: kinesis.describe_stream_consumer(StreamARN=arn, ConsumerName=consumer),
            allowed_codes=("ResourceNotFoundException",),
        )
        if self.module.check_mode:
            return
        registered = attempt(
            checks,
            "RegisterStreamConsumer",
            lambda: kinesis.register_stream_consumer(StreamARN=arn, ConsumerName=consumer),
            allowed_codes=("ResourceInUseException",),  # one of that name exists (not ours to remove)
        )
        if registered:
            # Least privilege is broken; the probe must not outlive the check.
            self.own_kinesis.deregister_stream_consumer(
                aws_retry=True, StreamARN=arn, ConsumerARN=registered["Consumer"]["ConsumerARN"]
            )

    def run(self):
        deadline = self.clock() + self.params["propagation_timeout"]
        identity_id, credentials, waited = self.sign_in(deadline)
        kinesis = self.guest_kinesis(credentials)
        checks, arn, can_read, read_wait = self._reads(kinesis, deadline)
        stream = self.params["stream_name"]
        if arn is None:
            summary = self.own_kinesis.describe_stream_summary(aws_retry=True, StreamName=stream)
            arn = summary["StreamDescriptionSummary"]["StreamARN"]
        can_write = False
        if not self.module.check_mode:
            attempt(
                checks,
                "PutRecord",
                lambda: kinesis.put_record(StreamName=stream, PartitionKey="verify", Data=b'{"verify": true}'),
            )
            can_write = checks["PutRecord"] == "allowed"
        self._consumer_checks(kinesis, checks, arn)
        return {
            "can_read": can_read,
            "can_write": can_write,
            "can_describe_consumers": checks.get("DescribeStreamConsumer") == "allowed",
            "can_register_consumer": checks.get("RegisterStreamConsumer") == "allowed",
            "checks": checks,
            "identity_id": identity_id,
            "stream_arn": arn,
            "waited_seconds": round(waited + read_wait, 1),
        }
