"""AWS Signature Version 4, checked the way AWS checks it: which part is missing or wrong, in AWS's words.

`parse()` finds the signature in the Authorization header or the query string (presigned) and says what is
missing; `verify()` recomputes it with the caller's secret. Both raise `SignatureProblem` (a kind, a message) so
that the front door answers with the code each protocol uses (Kinesis: IncompleteSignatureException; STS:
IncompleteSignature, ...).
"""

import calendar
import functools
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_CLOCK_SKEW_SECONDS = 15 * 60
_QUERY_AUTH_PARAMS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date")
_SPACES = re.compile(r"\s+")
_AUTH_TOKENS = re.compile(r"[\s,]+")
_SCOPE_DATE = re.compile(r"\d{8}")
_AMZ_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")


class SignatureProblem(Exception):
    """kind: missing | incomplete | invalid | mismatch | expired-signature | unknown-key | expired-token"""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Signature:
    access_key_id: str
    date: str  # YYYYMMDD of the credential scope
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str  # YYYYMMDDTHHMMSSZ
    session_token: str | None
    presigned: bool


def _query_pairs(query_string: str) -> list[tuple[str, str]]:
    pairs = []
    for part in query_string.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote(key.replace("+", "%20")), unquote(value.replace("+", "%20"))))
    return pairs


def parse(headers: dict[str, str], query_string: str) -> Signature:
    """The request's signature; SignatureProblem when there is none or a part is missing."""
    query = dict(_query_pairs(query_string))
    authorization = headers.get("authorization")
    if "X-Amz-Algorithm" in query:
        if authorization is not None:
            raise SignatureProblem(
                "invalid", "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
            )
        missing = [name for name in _QUERY_AUTH_PARAMS if not query.get(name)]
        if missing:
            message = " ".join(f"AWS query-string parameters must include '{name}'." for name in missing)
            raise SignatureProblem("incomplete", message + " Re-examine the query-string parameters.")
        return _signature(
            query["X-Amz-Algorithm"],
            query["X-Amz-Credential"],
            query["X-Amz-SignedHeaders"],
            query["X-Amz-Signature"],
            query["X-Amz-Date"],
            query.get("X-Amz-Security-Token") or headers.get("x-amz-security-token"),
            presigned=True,
        )
    if authorization is None:
        raise SignatureProblem("missing", "Missing Authentication Token")
    algorithm, _, rest = authorization.strip().partition(" ")
    params: dict[str, str] = {}
    for token in _AUTH_TOKENS.split(rest):
        key, equals, value = token.partition("=")
        if equals:
            params.setdefault(key, value)
    date = headers.get("x-amz-date") or headers.get("date")
    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not params.get(name)
    ]
    if not date:
        problems.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if problems:
        raise SignatureProblem("incomplete", " ".join(problems) + f" Authorization={authorization}")
    return _signature(
        algorithm,
        params["Credential"],
        params["SignedHeaders"],
        params["Signature"],
        headers.get("x-amz-date") or "",
        headers.get("x-amz-security-token"),
        presigned=False,
    )


def _signature(
    algorithm: str,
    credential: str,
    signed_headers: str,
    signature: str,
    amz_date: str,
    session_token: str | None,
    *,
    presigned: bool,
) -> Signature:
    if algorithm != ALGORITHM:
        raise SignatureProblem("incomplete", f"Unsupported AWS 'algorithm': '{algorithm}'")
    parts = credential.split("/")
    if len(parts) != 5:
        raise SignatureProblem(
            "incomplete",
            f"Credential should be scoped to a valid region, not '{parts[2] if len(parts) > 2 else ''}'. ",
        )
    key_id, date, region, service, terminator = parts
    if terminator != "aws4_request":
        raise SignatureProblem(
            "incomplete", f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
        )
    if not _SCOPE_DATE.fullmatch(date):
        raise SignatureProblem("incomplete", f"Date must be in ISO-8601 'basic format'. Got '{date}'. ")
    return Signature(
        access_key_id=key_id,
        date=date,
        region=region,
        service=service,
        signed_headers=tuple(name.strip().lower() for name in signed_headers.split(";") if name.strip()),
        signature=signature.strip().lower(),
        amz_date=amz_date,
        session_token=session_token,
        presigned=presigned,
    )


@functools.lru_cache(maxsize=256)
def _canonical_uri(raw_path: str) -> str:
    # Non-S3 services sign the path as the client sent it, percent-encoded once more.
    segments = []
    for segment in raw_path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    path = "/" + "/".join(segments)
    if raw_path.endswith("/") and path != "/":
        path += "/"
    return quote(path, safe="/~")


def _canonical_query(query_string: str) -> str:
    if not query_string:
        return ""
    pairs = [
        (quote(key, safe="-_.~"), quote(value, safe="-_.~"))
        for key, value in _query_pairs(query_string)
        if key != "X-Amz-Signature"
    ]
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


# Clients sign every request of a day with the same key: four HMACs a request saved. Keyed by the secret itself,
# so a wrong secret never finds a right secret's key; bounded, so a flood of made-up keys cannot grow it.
@functools.lru_cache(maxsize=1024)
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = hmac.digest(("AWS4" + secret).encode(), date.encode(), "sha256")
    for part in (region, service, "aws4_request"):
        key = hmac.digest(key, part.encode(), "sha256")
    return key


def _amz_time(signature: Signature, headers: dict[str, str]) -> float | None:
    basic = _AMZ_DATE.fullmatch(signature.amz_date)
    if basic:
        # What every SDK sends, read without strptime (a tenth of a PutRecord's cost); anything odd goes the
        # strptime way below, which gives the same answer for what this accepts.
        try:
            fields = tuple(int(part) for part in basic.groups())
            datetime(*fields)  # refuses a 13th month or a 61st second as strptime does
            return float(calendar.timegm((*fields, 0, 0, 0)))
        except ValueError:
            pass
    for text, layout in (
        (signature.amz_date, "%Y%m%dT%H%M%SZ"),
        (headers.get("date", ""), "%a, %d %b %Y %H:%M:%S GMT"),
    ):
        try:
            return datetime.strptime(text, layout).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    return None


def verify(
    signature: Signature,
    secret: str,
    *,
    method: str,
    raw_path: str,
    query_string: str,
    headers: dict[str, str],
    body: bytes,
    now: float | None = None,
) -> None:
    """Recompute the signature with `secret`; SignatureProblem("mismatch" | "expired-signature") when wrong."""
    signed_time = _amz_time(signature, headers)
    if signed_time is None:
        raise SignatureProblem(
            "incomplete", f"Date must be in ISO-8601 'basic format'. Got '{signature.amz_date or headers.get('date')}'."
        )
    now = time.time() if now is None else now  # the caller's real clock, not the endpoint's movable one
    if abs(now - signed_time) > MAX_CLOCK_SKEW_SECONDS:
        stamp = datetime.fromtimestamp(signed_time, UTC).strftime("%Y%m%dT%H%M%SZ")
        current = datetime.fromtimestamp(now, UTC)
        relation = "earlier" if signed_time < now else "later"
        bound = current.timestamp() + (-MAX_CLOCK_SKEW_SECONDS if relation == "earlier" else MAX_CLOCK_SKEW_SECONDS)
        sign = "-" if relation == "earlier" else "+"
        raise SignatureProblem(
            "expired-signature",
            f"Signature expired: {stamp} is now {relation} than "
            f"{datetime.fromtimestamp(bound, UTC).strftime('%Y%m%dT%H%M%SZ')} "
            f"({current.strftime('%Y%m%dT%H%M%SZ')} {sign} 15 min.)",
        )
    canonical_headers = "".join(
        f"{name}:{_SPACES.sub(' ', headers.get(name, '').strip())}\n" for name in signature.signed_headers
    )
    if signature.presigned:
        payload_hashes = [headers.get("x-amz-content-sha256") or "UNSIGNED-PAYLOAD", hashlib.sha256(body).hexdigest()]
    else:
        payload_hashes = [headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()]
    key = _signing_key(secret, signature.date, signature.region, signature.service)
    scope = f"{signature.date}/{signature.region}/{signature.service}/aws4_request"
    amz_date = signature.amz_date or datetime.fromtimestamp(signed_time, UTC).strftime("%Y%m%dT%H%M%SZ")
    for payload_hash in payload_hashes:
        canonical_request = "\n".join(
            [
                method,
                _canonical_uri(raw_path),
                _canonical_query(query_string),
                canonical_headers,
                ";".join(signature.signed_headers),
                payload_hash,
            ]
        )
        string_to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
        expected = hmac.digest(key, string_to_sign.encode(), "sha256").hex()
        if hmac.compare_digest(expected, signature.signature):
            return
    raise SignatureProblem(
        "mismatch",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
        "Access Key and signing method. Consult the service documentation for details.",
    )
