// Every failure the user can act on becomes one clear sentence on the page, with the fix.

export const SETUP_AGAIN = "run `ansible-playbook setup.yml` again";

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
  return settings.endpoint ? settings.endpoint : `AWS (${settings.region || "no region"})`;
}

function unreachable(settings, error) {
  const fix = settings.endpoint
    ? "is the local endpoint running? (`simulate local start --iam-enforcement`)"
    : "check your network connection";
  return new DashboardError("unreachable", `endpoint unreachable: cannot reach ${where(settings)}; ${fix}`, error?.message);
}

/** Sign-in (Cognito GetId / GetOpenIdToken, STS AssumeRoleWithWebIdentity) failures. */
export function signInError(error, step, settings) {
  if (error instanceof DashboardError) return error;
  if (isNetworkError(error)) return unreachable(settings, error);
  const code = errorCode(error);
  const detail = `${step}: ${code}: ${error?.message || ""}`;
  if (code === "ResourceNotFoundException" && step !== "AssumeRoleWithWebIdentity") {
    return new DashboardError("pool-not-found", `pool not found: ${SETUP_AGAIN}`, detail);
  }
  if (code === "ValidationException" || code === "InvalidParameterException") {
    return new DashboardError(
      "bad-input",
      `the identity pool id or role ARN is not valid: check the values (or ${SETUP_AGAIN})`,
      detail,
    );
  }
  if (ACCESS_DENIED.has(code) || code === "NoSuchEntity" || code === "ResourceNotFoundException") {
    const what =
      step === "AssumeRoleWithWebIdentity"
        ? "the guest role refused this identity pool (check the unauth role ARN)"
        : "this identity pool does not allow guest (unauthenticated) access";
    return new DashboardError("access-denied", `access denied: ${what}; ${SETUP_AGAIN}`, detail);
  }
  return new DashboardError("other", `sign-in failed at ${step} (${code}); ${SETUP_AGAIN}`, detail);
}

/** Kinesis failures that stop the reader. */
export function streamError(error, settings) {
  if (error instanceof DashboardError) return error;
  if (isNetworkError(error)) return unreachable(settings, error);
  const code = errorCode(error);
  const detail = `${code}: ${error?.message || ""}`;
  if (code === "ResourceNotFoundException") {
    return new DashboardError("stream-not-found", `stream ${settings.streamName} not found: ${SETUP_AGAIN}`, detail);
  }
  if (ACCESS_DENIED.has(code)) {
    return new DashboardError(
      "access-denied",
      `access denied: the guest role may not read stream ${settings.streamName}; ${SETUP_AGAIN}`,
      detail,
    );
  }
  return new DashboardError("other", `reading stream ${settings.streamName} failed (${code})`, detail);
}
