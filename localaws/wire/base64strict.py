"""Base64 for blobs as AWS's Java services accept it: canonical only, with their error messages."""

import binascii

_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


class Base64Error(ValueError):
    pass


def decode(text: str) -> bytes:
    """The bytes `text` encodes; Base64Error with AWS's reason when it is not canonical base64."""
    if len(text) % 4:
        raise Base64Error(f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(text)}")
    try:
        raw = binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        raise Base64Error(_reason(text)) from None
    # Padding leaves bits of the last character unused; AWS refuses them set (strict mode does not check).
    if text.endswith("="):
        tail = text[-4:]
        if binascii.b2a_base64(binascii.a2b_base64(tail), newline=False).decode() != tail:
            raise Base64Error("Invalid last non-pad Base64 character dectected")
    return raw


def _reason(text: str) -> str:
    pad_from = len(text)
    if text.endswith("=="):
        pad_from -= 2
    elif text.endswith("="):
        pad_from -= 1
    for position, char in enumerate(text):
        if char not in _ALPHABET and not (char == "=" and position >= pad_from and position % 4 >= 2):
            return f"Invalid Base64 character: '{char}'"
    return "Invalid last non-pad Base64 character dectected"
