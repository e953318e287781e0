"""IAM's eventual consistency: on an endpoint that holds new roles, policies and trust changes back 10 seconds (as AWS
may), setup and verify succeed the first time for a class of three, and a role that cannot be assumed yet is waited
for, within bounds."""

import yaml

from tests.conftest import running_endpoint
from tests.provisioning.conftest import REPO, Lab
from tests.provisioning.test_accounts import ACCESS_ROLE, ADMIN, give_access_role


def class_lab(endpoint, folder, hosts: dict[str, dict], **group_vars) -> Lab:
    folder.mkdir()
    (folder / "group_vars").symlink_to(REPO / "inventory" / "group_vars")
    inventory = folder / "attendees.yml"
    group = {"wildrydes_endpoint_url": endpoint.url, **group_vars}
    inventory.write_text(yaml.safe_dump({"attendees": {"hosts": hosts, "vars": group}}))
    return Lab(endpoint=endpoint, inventory=inventory, build_dir=folder.parent / "build")


def test_setup_and_verify_succeed_first_time_under_a_10_second_iam_propagation_delay(tmp_path):
    with running_endpoint(tmp_path / "state", iam_propagation_delay=10.0) as endpoint:
        accounts = ["000000000701", "000000000702", "000000000703"]
        endpoint.add_accounts(ADMIN, *accounts)
        # The third attendee is reached through a role made just now, which IAM holds back for 10 s (whether it is
        # still held back when the play gets there depends on the machine's speed: the next test forces the wait).
        arn = give_access_role(endpoint, accounts[2])
        hosts = {
            "ria": {"wildrydes_aws_profile": f"wildrydes-local-{accounts[0]}"},
            "sam": {"wildrydes_aws_profile": f"wildrydes-local-{accounts[1]}", "wildrydes_region": "eu-west-1"},
            "tao": {"wildrydes_aws_profile": f"wildrydes-local-{ADMIN}", "wildrydes_assume_role_arn": arn},
        }
        lab = class_lab(endpoint, tmp_path / "inventory", hosts)

        setup = lab.playbook("setup.yml")
        assert setup.returncode == 0, setup.output
        assert [line.split(":")[0] for line in sorted(setup.report())] == ["ok ria", "ok sam", "ok tao"]

        verify = lab.playbook("verify.yml")
        assert verify.returncode == 0, verify.output
        assert len(verify.report()) == 3
        assert all("guest can read, cannot write" in line for line in verify.report()), verify.report()


def test_a_role_never_put_into_effect_is_waited_for_within_bounds_then_named(tmp_path):
    with running_endpoint(tmp_path / "state", iam_propagation_delay=3600.0) as endpoint:
        endpoint.add_accounts(ADMIN, "000000000704")
        arn = give_access_role(endpoint, "000000000704")
        hosts = {"uma": {"wildrydes_aws_profile": f"wildrydes-local-{ADMIN}", "wildrydes_assume_role_arn": arn}}
        lab = class_lab(endpoint, tmp_path / "inventory", hosts, wildrydes_account_assume_wait_seconds=10)
        setup = lab.playbook("setup.yml")
        assert setup.returncode != 0
        [line] = setup.report()
        assert line.startswith(f"FAILED uma: cannot assume wildrydes_assume_role_arn {arn} for uma"), line
        assert "tried for 10 s" in line
        iam = endpoint.client("iam", account_id="000000000704")
        assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == [ACCESS_ROLE]  # nothing made
        assert setup.recap()["uma"]["changed"] == 0
