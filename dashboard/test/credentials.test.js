import assert from "node:assert/strict";
import { test } from "node:test";
import { GuestCredentials } from "../src/credentials.js";

function fakeAws({ lifetimeMs, clock, poolExists = true }) {
  const calls = [];
  let issued = 0;
  const cognito = async (command) => {
    const name = command.constructor.name;
    calls.push(name);
    if (!poolExists) {
      const error = new Error("IdentityPool 'us-east-1:x' not found.");
      error.name = "ResourceNotFoundException";
      throw error;
    }
    if (name === "GetIdCommand") return { IdentityId: "us-east-1:identity-1" };
    if (name === "GetOpenIdTokenCommand") return { Token: `token-${calls.length}` };
    throw new Error(`unexpected ${name}`);
  };
  const sts = async (command) => {
    calls.push(command.constructor.name);
    issued += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIA${issued}`,
        SecretAccessKey: "secret",
        SessionToken: "session",
        Expiration: new Date(clock.now + lifetimeMs),
      },
    };
  };
  return { calls, cognito, sts };
}

function guest(aws, clock) {
  const credentials = new GuestCredentials(
    { identityPoolId: "us-east-1:x", unauthRoleArn: "arn:aws:iam::123456789012:role/R", region: "us-east-1" },
    { now: () => clock.now },
  );
  credentials.cognito.send = aws.cognito;
  credentials.sts.send = aws.sts;
  credentials.schedule = () => {}; // no background timer in this test: refreshes are driven by get()
  return credentials;
}

test("basic flow only: GetId, GetOpenIdToken, AssumeRoleWithWebIdentity; refreshed before expiry", async () => {
  const clock = { now: 1_000_000 };
  const aws = fakeAws({ lifetimeMs: 3_600_000, clock });
  const credentials = guest(aws, clock);
  const first = await credentials.get();
  assert.equal(first.accessKeyId, "ASIA1");
  assert.deepEqual(aws.calls, ["GetIdCommand", "GetOpenIdTokenCommand", "AssumeRoleWithWebIdentityCommand"]);
  clock.now += 50 * 60_000; // 50 min: still more than 5 min left
  assert.equal((await credentials.get()).accessKeyId, "ASIA1");
  clock.now += 6 * 60_000; // 56 min: less than 5 min left, refresh now
  assert.equal((await credentials.get()).accessKeyId, "ASIA2");
  // The identity is kept: a new token for it, no new GetId.
  assert.deepEqual(aws.calls.slice(3), ["GetOpenIdTokenCommand", "AssumeRoleWithWebIdentityCommand"]);
  assert.ok(!aws.calls.includes("GetCredentialsForIdentityCommand"));
});

test("short-lived credentials are refreshed at half their life", async () => {
  const clock = { now: 0 };
  const aws = fakeAws({ lifetimeMs: 60_000, clock });
  const credentials = guest(aws, clock);
  await credentials.get();
  clock.now = 29_000;
  assert.equal((await credentials.get()).accessKeyId, "ASIA1");
  clock.now = 30_000;
  assert.equal((await credentials.get()).accessKeyId, "ASIA2");
});

test("a pool that is not there: the page's pool-not-found message", async () => {
  const clock = { now: 0 };
  const credentials = guest(fakeAws({ lifetimeMs: 60_000, clock, poolExists: false }), clock);
  await assert.rejects(credentials.get(), {
    kind: "pool-not-found",
    message: "pool not found: run `ansible-playbook setup.yml` again",
  });
});

test("a network failure: the page's endpoint-unreachable message", async () => {
  const clock = { now: 0 };
  const credentials = guest(fakeAws({ lifetimeMs: 60_000, clock }), clock);
  credentials.settings = { ...credentials.settings, endpoint: "http://127.0.0.1:9" };
  credentials.cognito.send = async () => {
    throw new TypeError("Failed to fetch");
  };
  await assert.rejects(credentials.get(), { kind: "unreachable", message: /^endpoint unreachable: cannot reach http/ });
});
