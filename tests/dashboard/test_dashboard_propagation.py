"""The dashboard's sign-in waits out IAM propagation, in headless Chromium against the local endpoint.

On AWS a role setup has just made is refused by STS for a few seconds (IAM is eventually consistent). Here the
endpoint makes a new role take effect only once its clock has moved an hour on, which the test does 20 s after
Start was pressed: the page must still be signing in then, not showing an error, and read the stream after.
"""

import json
import time

from playwright.sync_api import expect

from tests.dashboard.harness import DashboardLab

DELAY_SECONDS = 3600.0
ASSUME = "STS.AssumeRoleWithWebIdentity"


def marker(page, name: str):
    return page.locator(".unicorn-marker").filter(has=page.get_by_text(name, exact=True))


def fresh_guest_role(lab: DashboardLab, name: str) -> str:
    """A copy of setup's guest role (same trust, same read policy), made now: its ARN."""
    iam = lab.admin_client("iam")
    unauth = iam.get_role(RoleName="Cognito_wildrydesUnauth_Role")["Role"]
    policy = iam.get_role_policy(RoleName=unauth["RoleName"], PolicyName="WildrydesDashboardPolicy")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(unauth["AssumeRolePolicyDocument"]))
    iam.put_role_policy(
        RoleName=name, PolicyName="WildrydesDashboardPolicy", PolicyDocument=json.dumps(policy["PolicyDocument"])
    )
    return role["Role"]["Arn"]


def test_start_with_a_role_iam_has_not_propagated_yet_waits_and_then_reads(page, lab):
    lab.endpoint.control("settings", {"iam_propagation_delay": DELAY_SECONDS})
    try:
        role_arn = fresh_guest_role(lab, "Cognito_wildrydesUnauth_Role_Propagating")
        page.goto(lab.url())
        page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        page.locator("#advanced").evaluate("details => { details.open = true; }")
        page.fill("#unauthRoleArn", role_arn)
        page.click("#start")
        pressed = time.monotonic()
        # Refused at first, as on AWS right after setup: the page keeps trying instead of giving up. (The page's
        # requests are recorded while Playwright waits, hence wait_for_timeout rather than time.sleep.)
        while page.aws_targets.count(ASSUME) < 2 and time.monotonic() - pressed < 20:
            page.wait_for_timeout(200)
        assert page.aws_targets.count(ASSUME) >= 2, page.aws_targets
        page.wait_for_timeout(max(0.0, 20 - (time.monotonic() - pressed)) * 1000)
        assert page.locator("body").get_attribute("data-state") == "starting"
        expect(page.locator("#start-error")).to_be_hidden()
        expect(page.locator("#start-progress")).to_contain_text("the guest role is not in effect yet")

        lab.endpoint.control("clock", {"advance_seconds": DELAY_SECONDS})
        page.wait_for_selector("body[data-state=reading]", timeout=30_000)
        producer = lab.produce("Propagated-1", 2)
        lab.wait_first_record(producer)
        expect(marker(page, "Propagated-1")).to_be_visible(timeout=15_000)
        expect(page.locator("#start-error")).to_be_hidden()
        refused = page.aws_targets.count(ASSUME)
        assert refused >= 3, page.aws_targets  # two or more refusals, then the one that worked
        assert page.page_errors == []
    finally:
        lab.endpoint.control("settings", {"iam_propagation_delay": 0.0})
