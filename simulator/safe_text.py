"""Text from strangers (stream records, herd files) made safe for a terminal: nothing in it is ever interpreted.

A stream carries whatever anyone writes to it. Control characters (ESC starts the sequences that clear a screen
or write the clipboard, OSC 52), C1 controls (0x9b is an 8-bit CSI), DEL, backspace and carriage return (they
overprint), bidi overrides (U+202E reverses what follows), line separators and lone surrogates (they cannot be
encoded) are shown as escapes instead.
"""

import re

# Every character a terminal may act on or that cannot be written as UTF-8.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# What json.dumps leaves raw: never C0 inside strings (it escapes them), so a raw newline is the layout's own.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def visible(text: str) -> str:
    """One line, every unsafe character written as a Python-style escape (\\x1b, \\r, \\u202e)."""
    return UNSAFE.sub(_escape, text)


def json_safe(json_text: str) -> str:
    """JSON text (from json.dumps) with the unsafe characters json.dumps leaves raw written as \\uXXXX escapes.

    They can only occur inside JSON strings, where \\uXXXX means the same character: the JSON stays valid and
    equal, and nothing in it reaches the terminal raw.
    """
    return _UNSAFE_IN_JSON.sub(_json_escape, json_text)
