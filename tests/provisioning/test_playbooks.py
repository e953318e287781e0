"""setup.yml, verify.yml and teardown.yml, run by ansible-playbook itself against the local endpoint."""

import json
import subprocess
import threading
import time

import pytest

from tests.conftest import free_port

OWNER_TAG = {"ManagedBy": "wildrydes-lab"}


def lab_resources(endpoint, account_id: str) -> dict:
    """What exists in the account, asked as its admin."""
    kinesis = endpoint.client("kinesis", account_id=account_id)
    cognito = endpoint.client("cognito-identity", account_id=account_id)
    iam = endpoint.client("iam", account_id=account_id)
    roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
    return {
        "streams": kinesis.list_streams()["StreamNames"],
        "pools": [p["IdentityPoolName"] for p in cognito.list_identity_pools(MaxResults=60)["IdentityPools"]],
        "roles": sorted(roles & {"Cognito_wildrydesAuth_Role", "Cognito_wildrydesUnauth_Role"}),
    }


NOTHING = {"streams": [], "pools": [], "roles": []}


def test_setup_twice_verify_teardown_twice_and_setup_again(make_lab):
    lab = make_lab({"ana": {"account": "000000000101"}})

    first = lab.playbook("setup.yml")
    assert first.returncode == 0, first.output
    assert first.recap()["ana"]["changed"] > 0
    [line] = first.report()
    assert line.startswith("ok ana: identity pool id us-east-1:")
    assert "dashboard http://127.0.0.1:8080/?attendee=ana" in line

    config = json.loads((lab.build_dir / "ana" / "dashboard-config.json").read_text())
    assert config["identityPoolId"] in line
    assert config == {
        "attendee": "ana",
        "region": "us-east-1",
        "identityPoolId": config["identityPoolId"],
        "unauthRoleArn": "arn:aws:iam::000000000101:role/Cognito_wildrydesUnauth_Role",
        "streamName": "wildrydes",
        "endpoint": lab.endpoint.url,
    }
    assert lab_resources(lab.endpoint, "000000000101") == {
        "streams": ["wildrydes"],
        "pools": ["wildrydes"],
        "roles": ["Cognito_wildrydesAuth_Role", "Cognito_wildrydesUnauth_Role"],
    }

    again = lab.playbook("setup.yml")
    assert again.returncode == 0, again.output
    assert again.recap()["ana"]["changed"] == 0, again.output

    verify = lab.playbook("verify.yml")
    assert verify.returncode == 0, verify.output
    assert verify.report() == [
        f"ok ana: stream wildrydes ACTIVE with 1 open shard(s); pool {config['identityPoolId']} "
        "and both roles present; guest can read, cannot write"
    ]

    teardown = lab.playbook("teardown.yml")
    assert teardown.returncode == 0, teardown.output
    assert teardown.report() == ["ok ana: everything the lab created is gone"]
    assert lab_resources(lab.endpoint, "000000000101") == NOTHING
    assert not (lab.build_dir / "ana").exists()

    teardown_again = lab.playbook("teardown.yml")
    assert teardown_again.returncode == 0, teardown_again.output
    assert teardown_again.recap()["ana"]["changed"] == 0, teardown_again.output

    after = lab.playbook("setup.yml")
    assert after.returncode == 0, after.output
    assert lab_resources(lab.endpoint, "000000000101")["streams"] == ["wildrydes"]


def test_a_hand_made_stream_is_neither_adopted_nor_deleted(make_lab):
    lab = make_lab({"ben": {"account": "000000000102"}})
    kinesis = lab.endpoint.client("kinesis", account_id="000000000102")
    kinesis.create_stream(StreamName="wildrydes", ShardCount=1)

    setup = lab.playbook("setup.yml")
    assert setup.returncode != 0
    [line] = setup.report()
    assert line.startswith("FAILED ben: stream wildrydes exists without the tag ManagedBy=wildrydes-lab")
    assert "wildrydes_force=true" in line
    # Refused before anything changed: no pool, no roles, untouched stream.
    assert lab_resources(lab.endpoint, "000000000102") == {"streams": ["wildrydes"], "pools": [], "roles": []}
    assert kinesis.list_tags_for_stream(StreamName="wildrydes")["Tags"] == []

    teardown = lab.playbook("teardown.yml")
    assert teardown.returncode == 0, teardown.output
    assert teardown.report() == [
        "KEPT ben: stream wildrydes (not made by this automation; set wildrydes_force=true to delete)"
    ]
    assert kinesis.list_streams()["StreamNames"] == ["wildrydes"]

    forced = lab.playbook("teardown.yml", "-e", "wildrydes_force=true")
    assert forced.returncode == 0, forced.output
    assert kinesis.list_streams()["StreamNames"] == []


def test_three_attendees_one_broken(make_lab):
    lab = make_lab(
        {
            "cho": {"account": "000000000103"},
            "dev": {"account": "000000000104", "wildrydes_stream_shards": 0},
            "eli": {"account": "000000000105", "wildrydes_region": "eu-west-1"},
        }
    )
    setup = lab.playbook("setup.yml")
    assert setup.returncode != 0
    lines = sorted(setup.report())
    assert lines[0].startswith("FAILED dev: wildrydes_stream_shards must be a whole number of at least 1, not '0'")
    assert lines[1].startswith("ok cho: identity pool id us-east-1:")
    assert lines[2].startswith("ok eli: identity pool id eu-west-1:")
    assert lab_resources(lab.endpoint, "000000000104") == NOTHING

    verify = lab.playbook("verify.yml", "--limit", "cho,eli")
    assert verify.returncode == 0, verify.output
    assert [line.split(":")[0] for line in sorted(verify.report())] == ["ok cho", "ok eli"]


@pytest.mark.parametrize(
    ("host_vars", "message"),
    [
        ({"wildrydes_stream_name": "bad name!"}, "wildrydes_stream_name 'bad name!' is not a stream name"),
        ({"wildrydes_stream_shards": 0}, "wildrydes_stream_shards must be a whole number of at least 1"),
        ({"wildrydes_region": "mars-north-1"}, "wildrydes_region 'mars-north-1' is not an AWS region"),
        ({"wildrydes_aws_profile": "nobody"}, "wildrydes_aws_profile nobody"),
        ({"wildrydes_endpoint_url": "http://127.0.0.1:{free}"}, "does not answer: start the local endpoint"),
    ],
    ids=["stream-name", "shard-count", "region", "profile", "endpoint"],
)
def test_bad_input_fails_before_anything_changes(make_lab, host_vars, message):
    host_vars = {k: (v.format(free=free_port()) if isinstance(v, str) else v) for k, v in host_vars.items()}
    lab = make_lab({"fay": {"account": "000000000106", **host_vars}})
    setup = lab.playbook("setup.yml")
    assert setup.returncode != 0
    [line] = setup.report()
    assert line.startswith("FAILED fay: ")
    assert message in line
    assert "Traceback" not in setup.output
    assert lab_resources(lab.endpoint, "000000000106") == NOTHING
    assert not (lab.build_dir / "fay").exists()


def test_check_and_diff_change_nothing_and_the_playbooks_folder_entry_works(make_lab):
    lab = make_lab({"gus": {"account": "000000000107"}})
    dry = lab.playbook("setup.yml", "--check", "--diff")
    assert dry.returncode == 0, dry.output
    assert dry.recap()["gus"]["changed"] > 0
    assert lab_resources(lab.endpoint, "000000000107") == NOTHING

    real = lab.playbook("playbooks/setup.yml")
    assert real.returncode == 0, real.output
    checked = lab.playbook("verify.yml", "--check")
    assert checked.returncode == 0, checked.output

    dry_teardown = lab.playbook("teardown.yml", "--check", "--diff")
    assert dry_teardown.returncode == 0, dry_teardown.output
    assert dry_teardown.recap()["gus"]["changed"] > 0
    assert lab_resources(lab.endpoint, "000000000107")["pools"] == ["wildrydes"]
    assert (lab.build_dir / "gus" / "dashboard-config.json").exists()


def test_changing_the_shard_count_reshards(make_lab):
    lab = make_lab({"hal": {"account": "000000000108"}})
    assert lab.playbook("setup.yml").returncode == 0
    more = lab.playbook("setup.yml", "-e", "wildrydes_stream_shards=2")
    assert more.returncode == 0, more.output
    shards = lab.endpoint.client("kinesis", account_id="000000000108").list_shards(StreamName="wildrydes")["Shards"]
    open_shards = [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]
    assert len(open_shards) == 2


def test_inventories_name_profiles_and_hold_no_keys():
    """Local attendees are reached through their generated profiles; no key is written in the repository."""
    from pathlib import Path

    inventory = Path(__file__).resolve().parents[2] / "inventory"
    for path in inventory.rglob("*.yml"):
        text = path.read_text()
        assert "AKIA" not in text and "aws_secret_access_key" not in text.lower(), path
        assert "wildrydes_local_account_id" not in text, path
    assert "wildrydes_aws_profile: wildrydes-local-123456789012" in (inventory / "local.yml").read_text()


def test_on_demand_retention_tags_and_encryption_are_settable_and_idempotent(make_lab):
    lab = make_lab(
        {
            "ida": {
                "account": "000000000109",
                "wildrydes_stream_mode": "ON_DEMAND",
                "wildrydes_stream_retention_hours": 48,
                "wildrydes_stream_tags": {"Team": "ops"},
            },
            "jon": {"account": "000000000110", "wildrydes_stream_encryption": True},
        }
    )
    first = lab.playbook("setup.yml")
    assert first.returncode == 0, first.output
    again = lab.playbook("setup.yml")
    assert again.returncode == 0, again.output
    assert {host: counts["changed"] for host, counts in again.recap().items()} == {"ida": 0, "jon": 0}, again.output

    ida = lab.endpoint.client("kinesis", account_id="000000000109")
    summary = ida.describe_stream_summary(StreamName="wildrydes")["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"]["StreamMode"] == "ON_DEMAND"
    assert summary["RetentionPeriodHours"] == 48
    tags = {t["Key"]: t["Value"] for t in ida.list_tags_for_stream(StreamName="wildrydes")["Tags"]}
    assert tags == {"Team": "ops", **OWNER_TAG}
    jon = lab.endpoint.client("kinesis", account_id="000000000110")
    assert jon.describe_stream_summary(StreamName="wildrydes")["StreamDescriptionSummary"]["EncryptionType"] == "KMS"


def test_the_guest_check_waits_out_iam_propagation(make_lab):
    """IAM is eventually consistent: on AWS a new role takes effect seconds later, and whoever uses it at once is
    refused. verify's guest check keeps trying: here the attendee's roles take effect only when the endpoint's clock
    has moved an hour on, which the test does 20 s after the check started."""
    lab = make_lab({"kai": {"account": "000000000111"}})
    setup = lab.playbook("setup.yml")
    assert setup.returncode == 0, setup.output
    config = json.loads((lab.build_dir / "kai" / "dashboard-config.json").read_text())
    iam = lab.endpoint.client("iam", account_id="000000000111")
    unauth = iam.get_role(RoleName="Cognito_wildrydesUnauth_Role")["Role"]
    policy = iam.get_role_policy(RoleName=unauth["RoleName"], PolicyName="WildrydesDashboardPolicy")
    lab.endpoint.control("settings", {"iam_propagation_delay": 3600.0})
    try:
        # A role made now, as setup would make it: invisible to STS until the clock moves on.
        fresh = iam.create_role(
            RoleName="Cognito_wildrydesUnauth_Role_New",
            AssumeRolePolicyDocument=json.dumps(unauth["AssumeRolePolicyDocument"]),
        )["Role"]
        iam.put_role_policy(
            RoleName=fresh["RoleName"],
            PolicyName="WildrydesDashboardPolicy",
            PolicyDocument=json.dumps(policy["PolicyDocument"]),
        )
        done: dict[str, subprocess.CompletedProcess] = {}
        args = (
            f"identity_pool_id={config['identityPoolId']} unauth_role_arn={fresh['Arn']} stream_name=wildrydes "
            f"region=us-east-1 endpoint_url={lab.endpoint.url} profile=wildrydes-local-000000000111"
        )
        checking = threading.Thread(
            target=lambda: done.setdefault("run", lab.adhoc("wildrydes.lab.guest_access_check", args))
        )
        checking.start()
        time.sleep(20)
        lab.endpoint.control("clock", {"advance_seconds": 3600})
        checking.join(timeout=300)
        run = done["run"]
        assert run.returncode == 0, run.stdout + run.stderr
        result = json.loads(run.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
        assert result["can_read"] is True and result["can_write"] is False, result
        assert result["waited_seconds"] > 0, result  # it was refused first, as on AWS right after setup
    finally:
        lab.endpoint.control("settings", {"iam_propagation_delay": 0.0})
