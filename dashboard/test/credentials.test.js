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

/** STS refuses the role `refusals` times as AWS does while IAM has not caught up, then issues credentials. */
function refusedFirst(aws, refusals, code = "AccessDenied") {
  const sts = aws.sts;
  let left = refusals;
  aws.sts = async (command) => {
    if (left > 0) {
      left -= 1;
      aws.calls.push(command.constructor.name);
      const error = new Error("Not authorized to perform sts:AssumeRoleWithWebIdentity");
      error.name = code;
      throw error;
    }
    return sts(command);
  };
  return aws;
}

/** A guest whose pauses move the fake clock instead of waiting; records what it was told while waiting. */
function patientGuest(aws, clock, options = {}) {
  const waits = [];
  const pauses = [];
  const credentials = new GuestCredentials(
    { identityPoolId: "us-east-1:x", unauthRoleArn: "arn:aws:iam::123456789012:role/R", region: "us-east-1" },
    {
      now: () => clock.now,
      sleep: async (ms) => {
        pauses.push(ms);
        clock.now += ms;
      },
      onWaiting: (seconds, error) => waits.push({ seconds, kind: error.kind }),
      ...options,
    },
  );
  credentials.cognito.send = aws.cognito;
  credentials.sts.send = aws.sts;
  credentials.schedule = () => {};
  return { credentials, waits, pauses };
}

test("a role IAM has not propagated yet: refused twice, then credentials; the caller is told it waits", async () => {
  const clock = { now: 0 };
  const aws = refusedFirst(fakeAws({ lifetimeMs: 3_600_000, clock }), 2);
  const { credentials, waits, pauses } = patientGuest(aws, clock);
  const got = await credentials.get();
  assert.equal(got.accessKeyId, "ASIA1");
  assert.deepEqual(pauses, [500, 1_000]);
  assert.deepEqual(waits, [
    { seconds: 0, kind: "access-denied" },
    { seconds: 0, kind: "access-denied" },
  ]);
  // Each try is a whole sign-in with a fresh OpenID token (a token lives 10 minutes); the identity is kept.
  assert.deepEqual(aws.calls, [
    "GetIdCommand",
    "GetOpenIdTokenCommand",
    "AssumeRoleWithWebIdentityCommand",
    "GetOpenIdTokenCommand",
    "AssumeRoleWithWebIdentityCommand",
    "GetOpenIdTokenCommand",
    "AssumeRoleWithWebIdentityCommand",
  ]);
});

test("InvalidIdentityToken is waited out too", async () => {
  const clock = { now: 0 };
  const aws = refusedFirst(fakeAws({ lifetimeMs: 3_600_000, clock }), 1, "InvalidIdentityTokenException");
  const { credentials, pauses } = patientGuest(aws, clock);
  assert.equal((await credentials.get()).accessKeyId, "ASIA1");
  assert.deepEqual(pauses, [500]);
});

test("refused past the limit: today's access-denied error, after pauses of 0.5 s doubling to 5 s for 60 s", async () => {
  const clock = { now: 0 };
  const aws = refusedFirst(fakeAws({ lifetimeMs: 3_600_000, clock }), Infinity);
  const { credentials, waits, pauses } = patientGuest(aws, clock);
  await assert.rejects(credentials.get(), {
    kind: "access-denied",
    message:
      "access denied: the guest role refused this identity pool (check the unauth role ARN); " +
      "run `ansible-playbook setup.yml` again",
    detail: "AssumeRoleWithWebIdentity: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
  });
  // The last pause ends at the limit: one more try there, then the refusal is final.
  assert.deepEqual(pauses, [500, 1_000, 2_000, 4_000, ...Array(10).fill(5_000), 2_500]);
  assert.equal(clock.now, 60_000);
  assert.equal(waits.at(-1).seconds, 57);
  // One try after each pause, one before the first.
  assert.equal(aws.calls.filter((c) => c === "AssumeRoleWithWebIdentityCommand").length, pauses.length + 1);
});

test("the limit is the caller's: propagationTimeoutMs 0 fails at the first refusal", async () => {
  const clock = { now: 0 };
  const aws = refusedFirst(fakeAws({ lifetimeMs: 3_600_000, clock }), 1);
  const { credentials, waits, pauses } = patientGuest(aws, clock, { propagationTimeoutMs: 0 });
  await assert.rejects(credentials.get(), { kind: "access-denied" });
  assert.deepEqual(pauses, []);
  assert.deepEqual(waits, []);
});

test("other refusals are not retried: a missing pool, a bad role ARN, an unreachable endpoint", async () => {
  const clock = { now: 0 };
  const missing = patientGuest(fakeAws({ lifetimeMs: 60_000, clock, poolExists: false }), clock);
  await assert.rejects(missing.credentials.get(), { kind: "pool-not-found" });
  assert.deepEqual(missing.pauses, []);

  const invalid = refusedFirst(fakeAws({ lifetimeMs: 60_000, clock }), 1, "ValidationException");
  const badArn = patientGuest(invalid, clock);
  await assert.rejects(badArn.credentials.get(), { kind: "bad-input" });
  assert.deepEqual(badArn.pauses, []);

  const guestOff = fakeAws({ lifetimeMs: 60_000, clock });
  const notAuthorized = patientGuest(guestOff, clock);
  notAuthorized.credentials.cognito.send = async (command) => {
    if (command.constructor.name === "GetOpenIdTokenCommand") {
      const error = new Error("Unauthenticated access is not supported for this identity pool.");
      error.name = "NotAuthorizedException";
      throw error;
    }
    return guestOff.cognito(command);
  };
  await assert.rejects(notAuthorized.credentials.get(), { kind: "access-denied" });
  assert.deepEqual(notAuthorized.pauses, []);

  const offline = patientGuest(fakeAws({ lifetimeMs: 60_000, clock }), clock);
  offline.credentials.settings = { ...offline.credentials.settings, endpoint: "http://127.0.0.1:9" };
  offline.credentials.sts.send = async () => {
    throw new TypeError("Failed to fetch");
  };
  await assert.rejects(offline.credentials.get(), { kind: "unreachable" });
  assert.deepEqual(offline.pauses, []);
});

test("a background refresh waits out propagation too, then the new credentials are in use", async () => {
  const clock = { now: 0 };
  const base = fakeAws({ lifetimeMs: 60_000, clock });
  const { credentials, pauses } = patientGuest(base, clock);
  assert.equal((await credentials.get()).accessKeyId, "ASIA1");
  refusedFirst(base, 1);
  credentials.sts.send = base.sts;
  clock.now = 30_000;
  assert.equal((await credentials.get()).accessKeyId, "ASIA2");
  assert.deepEqual(pauses, [500]);
});
