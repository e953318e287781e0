// Guest (unauthenticated) AWS credentials for the browser, by the basic (classic) Cognito flow:
//   GetId(pool) -> GetOpenIdToken(identity) -> STS AssumeRoleWithWebIdentity(unauth role, token).
// Never GetCredentialsForIdentity: on AWS, the enhanced flow's guest credentials carry a session policy
// that allows no Kinesis action. All three calls are unsigned: the token is the credential.
// The credentials are refreshed before they expire (a new OpenID token each time: it lives 10 minutes).
// IAM is eventually consistent: right after setup made (or changed) the guest role, STS refuses it for a while
// (AccessDenied / InvalidIdentityToken) although nothing is wrong. Such a refusal is retried, with growing pauses,
// for up to `propagationTimeoutMs` before it is shown as the error it would be for good.

import { CognitoIdentityClient, GetIdCommand, GetOpenIdTokenCommand } from "@aws-sdk/client-cognito-identity";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DashboardError, errorCode, signInError } from "./errors.js";
import { t } from "./i18n.js";

const ROLE_SESSION_NAME = "wildrydes-dashboard";
// Refresh this long before expiry (or at half the lifetime, for short-lived credentials).
const REFRESH_MARGIN_MS = 5 * 60_000;
const MIN_REFRESH_DELAY_MS = 5_000;
// A new role or policy usually reaches every IAM endpoint within seconds; a minute covers it with room to spare
// (verify.yml's guest check waits as long).
export const PROPAGATION_TIMEOUT_MS = 60_000;
const FIRST_PAUSE_MS = 500;
const MAX_PAUSE_MS = 5_000;
// What STS answers while the role (or its trust policy) has not reached it yet; other refusals are final.
const PROPAGATION_CODES = new Set(["AccessDenied", "InvalidIdentityToken", "InvalidIdentityTokenException"]);
// Sign-in errors (already the page's DashboardError) that may go away once IAM has caught up.
const mayPropagate = new WeakSet();

function clientConfig(settings) {
  const config = { region: settings.region, maxAttempts: 2 };
  if (settings.endpoint) config.endpoint = settings.endpoint;
  return config;
}

/** Unsigned calls: no credentials of our own to sign with. */
const NO_CREDENTIALS = async () => {
  throw new DashboardError("other", t("error.unsigned"));
};

export class GuestCredentials {
  /**
   * settings: {identityPoolId, unauthRoleArn, region, endpoint?}
   * onRefreshError(error): a background refresh failed (the current credentials may still work a while).
   * onWaiting(seconds, error): a sign-in was refused as if IAM had not caught up yet; the next try comes after
   *   a pause. `seconds`: how long this sign-in has been refused so far (0 at the first refusal).
   * propagationTimeoutMs: how long such refusals are retried before the last one is thrown.
   * sleep(ms): the pause between tries (tests pass their own).
   */
  constructor(
    settings,
    {
      onRefreshError = () => {},
      onWaiting = () => {},
      propagationTimeoutMs = PROPAGATION_TIMEOUT_MS,
      now = () => Date.now(),
      sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    } = {},
  ) {
    this.settings = settings;
    this.onRefreshError = onRefreshError;
    this.onWaiting = onWaiting;
    this.propagationTimeoutMs = propagationTimeoutMs;
    this.now = now;
    this.sleep = sleep;
    this.cognito = new CognitoIdentityClient({ ...clientConfig(settings), credentials: NO_CREDENTIALS });
    this.sts = new STSClient({ ...clientConfig(settings), credentials: NO_CREDENTIALS });
    this.identityId = null;
    this.current = null; // {accessKeyId, secretAccessKey, sessionToken, expiration: Date}
    this.pending = null;
    this.timer = null;
    this.refreshes = 0;
    // The SDK calls this before each signed request: hand out fresh credentials, refreshing if needed.
    this.provider = () => this.get();
  }

  async get() {
    if (this.current && !this.dueForRefresh()) return this.current;
    return this.refresh();
  }

  dueForRefresh() {
    if (!this.current) return true;
    return this.now() >= this.refreshAt(this.current);
  }

  refreshAt(credentials) {
    const expires = credentials.expiration.getTime();
    const lifetime = expires - (credentials.issuedAt ?? expires);
    return expires - Math.min(REFRESH_MARGIN_MS, Math.max(0, lifetime / 2));
  }

  /** Sign in again (one at a time); schedules the next refresh before these credentials expire. */
  refresh() {
    if (!this.pending) {
      this.pending = this.signIn()
        .then((credentials) => {
          this.current = credentials;
          this.refreshes += 1;
          this.schedule();
          return credentials;
        })
        .finally(() => {
          this.pending = null;
        });
    }
    return this.pending;
  }

  /** Throw away the current credentials (say, after ExpiredTokenException): the next get() signs in. */
  invalidate() {
    this.current = null;
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    this.stopped = true;
  }

  schedule() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const delay = Math.max(MIN_REFRESH_DELAY_MS, this.refreshAt(this.current) - this.now());
    this.timer = setTimeout(() => {
      this.refresh().catch((error) => this.onRefreshError(error));
    }, delay);
  }

  /** One sign-in; refusals IAM may still lift are tried again, with pauses of 0.5 s doubling to 5 s. */
  async signIn() {
    const refusedSince = this.now();
    let pause = FIRST_PAUSE_MS;
    for (;;) {
      try {
        return await this.signInOnce();
      } catch (error) {
        const refusedMs = this.now() - refusedSince;
        const leftMs = this.propagationTimeoutMs - refusedMs;
        if (!mayPropagate.has(error) || leftMs <= 0 || this.stopped) throw error;
        this.onWaiting(Math.floor(refusedMs / 1000), error);
        await this.sleep(Math.min(pause, leftMs));
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
      }
    }
  }

  async signInOnce() {
    const { identityPoolId, unauthRoleArn } = this.settings;
    let token;
    if (this.identityId) {
      try {
        token = await this.openIdToken(this.identityId);
      } catch {
        this.identityId = null; // the identity is gone (a new pool?): get a new one
      }
    }
    if (!token) {
      let reply;
      try {
        reply = await this.cognito.send(new GetIdCommand({ IdentityPoolId: identityPoolId }));
      } catch (error) {
        throw signInError(error, "GetId", this.settings);
      }
      this.identityId = reply.IdentityId;
      try {
        token = await this.openIdToken(this.identityId);
      } catch (error) {
        throw refusal(error, "GetOpenIdToken", this.settings);
      }
    }
    const issuedAt = this.now();
    let assumed;
    try {
      assumed = await this.sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: unauthRoleArn,
          RoleSessionName: ROLE_SESSION_NAME,
          WebIdentityToken: token,
        }),
      );
    } catch (error) {
      throw refusal(error, "AssumeRoleWithWebIdentity", this.settings);
    }
    const c = assumed.Credentials;
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: new Date(c.Expiration),
      issuedAt,
    };
  }

  async openIdToken(identityId) {
    const reply = await this.cognito.send(new GetOpenIdTokenCommand({ IdentityId: identityId }));
    return reply.Token;
  }
}

/** The page's error for a failed sign-in step, remembered as retryable when IAM may not have caught up. */
function refusal(error, step, settings) {
  const shown = signInError(error, step, settings);
  if (PROPAGATION_CODES.has(errorCode(error))) mayPropagate.add(shown);
  return shown;
}
