"""Per-host account identity: attendees reached by assuming a role from one admin profile, two hosts in one account
refused, and the stream's extra tags left alone when the inventory names none."""

import json

from tests.provisioning.test_playbooks import NOTHING, OWNER_TAG, lab_resources

ADMIN = "000000000590"  # the instructor's account: the only profile the inventory names
ACCESS_ROLE = "OrganizationAccountAccessRole"


def give_access_role(endpoint, account_id: str, trusted_account: str = ADMIN) -> str:
    """What AWS Organizations makes in each member account: an admin role the management account may assume."""
    iam = endpoint.client("iam", account_id=account_id)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{trusted_account}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = iam.create_role(RoleName=ACCESS_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_role_policy(RoleName=ACCESS_ROLE, PolicyName="AdministratorAccess", PolicyDocument=json.dumps(everything))
    return role["Arn"]


def test_attendees_reached_by_assuming_a_role_are_provisioned_verified_and_torn_down(make_lab, enforcing_endpoint):
    enforcing_endpoint.add_accounts(ADMIN, "000000000591", "000000000592")
    hosts = {
        "kai": {"wildrydes_assume_role_arn": give_access_role(enforcing_endpoint, "000000000591")},
        "lea": {
            "wildrydes_assume_role_arn": give_access_role(enforcing_endpoint, "000000000592"),
            "wildrydes_region": "eu-west-1",
        },
    }
    lab = make_lab(hosts, wildrydes_aws_profile=f"wildrydes-local-{ADMIN}")

    setup = lab.playbook("setup.yml")
    assert setup.returncode == 0, setup.output
    assert [line.split(":")[0] for line in sorted(setup.report())] == ["ok kai", "ok lea"]
    assert "sts_creds" not in setup.output and "session_token" not in setup.output  # credentials never shown
    everything = {
        "streams": ["wildrydes"],
        "pools": ["wildrydes"],
        "roles": sorted(["Cognito_wildrydesAuth_Role", "Cognito_wildrydesUnauth_Role"]),
    }
    assert lab_resources(enforcing_endpoint, "000000000591") == everything
    lea_kinesis = enforcing_endpoint.client("kinesis", account_id="000000000592", region="eu-west-1")
    assert lea_kinesis.list_streams()["StreamNames"] == ["wildrydes"]
    assert lab_resources(enforcing_endpoint, ADMIN) == NOTHING  # nothing landed in the admin account
    kai = json.loads((lab.build_dir / "kai" / "dashboard-config.json").read_text())
    assert kai["unauthRoleArn"] == "arn:aws:iam::000000000591:role/Cognito_wildrydesUnauth_Role"

    verify = lab.playbook("verify.yml")
    assert verify.returncode == 0, verify.output
    assert all(line.startswith("ok ") and "guest can read, cannot write" in line for line in verify.report())

    teardown = lab.playbook("teardown.yml")
    assert teardown.returncode == 0, teardown.output
    assert sorted(teardown.report()) == [
        "ok kai: everything the lab created is gone",
        "ok lea: everything the lab created is gone",
    ]
    assert lab_resources(enforcing_endpoint, "000000000591") == NOTHING
    assert lea_kinesis.list_streams()["StreamNames"] == []
    # The access role is the instructor's, not the lab's: still there.
    assert enforcing_endpoint.client("iam", account_id="000000000591").get_role(RoleName=ACCESS_ROLE)


def test_a_role_that_cannot_be_assumed_is_named_with_the_profile(make_lab, enforcing_endpoint):
    enforcing_endpoint.add_accounts(ADMIN, "000000000593")
    give_access_role(enforcing_endpoint, "000000000593", trusted_account="000000000599")  # trusts someone else
    arn = f"arn:aws:iam::000000000593:role/{ACCESS_ROLE}"
    lab = make_lab(
        {"max": {"wildrydes_assume_role_arn": arn}},
        wildrydes_aws_profile=f"wildrydes-local-{ADMIN}",
        wildrydes_account_assume_wait_seconds=0,
    )
    setup = lab.playbook("setup.yml")
    assert setup.returncode != 0
    [line] = setup.report()
    assert line.startswith(f"FAILED max: cannot assume wildrydes_assume_role_arn {arn} for max from ")
    assert f"wildrydes_aws_profile wildrydes-local-{ADMIN}" in line
    assert lab_resources(enforcing_endpoint, "000000000593") == NOTHING


def test_two_hosts_in_one_account_are_refused_both_named_before_anything_changes(make_lab, enforcing_endpoint):
    enforcing_endpoint.add_accounts(ADMIN, "000000000594")
    arn = give_access_role(enforcing_endpoint, "000000000594")
    # One reaches the account by its own profile, the other by the role in it; a third is alone in its account.
    lab = make_lab(
        {
            "ned": {"account": "000000000594"},
            "oli": {"wildrydes_assume_role_arn": arn, "wildrydes_aws_profile": f"wildrydes-local-{ADMIN}"},
            "pia": {"account": "000000000595"},
        }
    )
    setup = lab.playbook("setup.yml")
    assert setup.returncode != 0
    lines = dict(line.split(": ", 1) for line in setup.report())
    for name in ("ned", "oli"):
        assert lines[f"FAILED {name}"].startswith("ned and oli reach the same AWS account 000000000594"), lines
    assert lines["ok pia"].startswith("identity pool id us-east-1:")
    assert lab_resources(enforcing_endpoint, "000000000594") == NOTHING


def test_stream_tags_left_out_leave_other_tags_alone(make_lab):
    lab = make_lab({"quinn": {"account": "000000000596"}})
    assert lab.playbook("setup.yml").returncode == 0
    kinesis = lab.endpoint.client("kinesis", account_id="000000000596")
    kinesis.add_tags_to_stream(StreamName="wildrydes", Tags={"CostCentre": "unicorns"})

    again = lab.playbook("setup.yml")
    assert again.returncode == 0, again.output
    assert again.recap()["quinn"]["changed"] == 0, again.output
    tags = {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName="wildrydes")["Tags"]}
    assert tags == {"CostCentre": "unicorns", **OWNER_TAG}

    # Named tags with purge: exactly those plus the ownership tag.
    purged = lab.playbook(
        "setup.yml", "-e", '{"wildrydes_stream_tags": {"Team": "ops"}, "wildrydes_stream_purge_tags": true}'
    )
    assert purged.returncode == 0, purged.output
    tags = {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName="wildrydes")["Tags"]}
    assert tags == {"Team": "ops", **OWNER_TAG}
