// Every failure the user can act on becomes one clear sentence on the page, with the fix, in the page's language.

import { t } from "./i18n.js";

/** "run `ansible-playbook setup.yml` again", in the page's language. */
export function setupAgain() {
  return t("error.setupAgain");
}

export class DashboardError extends Error {
  /** kind: pool-not-found | access-denied | unreachable | stream-not-found | bad-input | other */
  constructor(kind, message, detail = "") {
    super(message);
    this.name = "DashboardError";
    this.kind = kind;
    this.detail = detail;
  }
}

const ACCESS_DENIED = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "NotAuthorizedException",
  "UnrecognizedClientException",
  "InvalidIdentityTokenException",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "IncompleteSignature",
  "SignatureDoesNotMatch",
]);

/** A browser fetch that never got an answer: refused, DNS, offline, or blocked (CORS). */
export function isNetworkError(error) {
  if (!error) return false;
  if (error.name === "TypeError" && /fetch|network|load failed/i.test(error.message || "")) return true;
  return error.name === "NetworkError" || error.name === "TimeoutError";
}

export function errorCode(error) {
  return error?.name || error?.Code || error?.code || "Error";
}

function where(settings) {
  return settings.endpoint ? settings.endpoint : t("error.aws", { region: settings.region || t("error.noRegion") });
}

function unreachable(settings, error) {
  const fix = settings.endpoint ? t("error.isLocalRunning") : t("error.checkNetwork");
  return new DashboardError("unreachable", t("error.unreachable", { where: where(settings), fix }), error?.message);
}

/** Sign-in (Cognito GetId / GetOpenIdToken, STS AssumeRoleWithWebIdentity) failures. */
export function signInError(error, step, settings) {
  if (error instanceof DashboardError) return error;
  if (isNetworkError(error)) return unreachable(settings, error);
  const code = errorCode(error);
  const detail = `${step}: ${code}: ${error?.message || ""}`;
  if (code === "ResourceNotFoundException" && step !== "AssumeRoleWithWebIdentity") {
    return new DashboardError("pool-not-found", t("error.poolNotFound", { setup: setupAgain() }), detail);
  }
  if (code === "ValidationException" || code === "InvalidParameterException") {
    return new DashboardError("bad-input", t("error.badIds", { setup: setupAgain() }), detail);
  }
  if (ACCESS_DENIED.has(code) || code === "NoSuchEntity" || code === "ResourceNotFoundException") {
    const what = step === "AssumeRoleWithWebIdentity" ? t("error.roleRefused") : t("error.noGuests");
    return new DashboardError("access-denied", t("error.accessDenied", { what, setup: setupAgain() }), detail);
  }
  return new DashboardError("other", t("error.signInFailed", { step, code, setup: setupAgain() }), detail);
}

/** Kinesis failures that stop the reader. */
export function streamError(error, settings) {
  if (error instanceof DashboardError) return error;
  if (isNetworkError(error)) return unreachable(settings, error);
  const code = errorCode(error);
  const detail = `${code}: ${error?.message || ""}`;
  if (code === "ResourceNotFoundException") {
    const stream = settings.streamName;
    return new DashboardError("stream-not-found", t("error.streamNotFound", { stream, setup: setupAgain() }), detail);
  }
  if (ACCESS_DENIED.has(code)) {
    const stream = settings.streamName;
    return new DashboardError("access-denied", t("error.streamDenied", { stream, setup: setupAgain() }), detail);
  }
  return new DashboardError("other", t("error.streamFailed", { stream: settings.streamName, code }), detail);
}
