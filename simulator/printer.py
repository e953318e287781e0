"""How consumers print records: the workshop's layout for unicorn records, anything else shown safely.

Every record is accounted for: one entry per record (a pretty block or a JSON line for a unicorn record; one
line for anything else), nothing in it interpreted by the terminal, and reading goes on. In jsonl, a record
that is not a unicorn record is the line {"Raw": text, "Record": "shard/sequence"} (plus "Base64" of the exact
bytes when they are not UTF-8), so the output stays valid JSON lines for any input.
"""

import base64
import json
import sys
from collections.abc import Callable
from typing import TextIO

from simulator import record
from simulator.safe_text import json_safe, visible

PREVIEW_CHARS = 80


def warn_on_stderr(message: str) -> None:
    """A plain line: the message is never read as rich markup."""
    from rich.text import Text

    from simulator.commands.output import errors

    errors.print(Text.assemble(("warning:", "yellow"), " ", message), soft_wrap=True)


class Printer:
    """Writes records as the workshop's consumer did (pretty) or one JSON object per line (jsonl)."""

    def __init__(
        self,
        output_format: str,
        name: str | None,
        out: TextIO | None = None,
        warn: Callable[[str], None] = warn_on_stderr,
    ):
        self.output_format = output_format
        self.name = name
        self.out = out or sys.stdout
        self.warn = warn
        self.printed = 0
        self.foreign = 0
        self._said_not_utf8 = False

    def show(self, data: bytes, where: str) -> bool:
        """Print one record; True when it counted (matched the filter)."""
        decoded = record.decode(data)
        if decoded is None:
            return self._show_foreign(data, visible(where))
        if self.name is not None and decoded["Name"] != self.name:
            return False
        if self.output_format == "jsonl":
            self.out.write(json_safe(json.dumps(decoded, ensure_ascii=False, separators=(",", ":"))) + "\n")
        else:
            self.out.write(json_safe(record.pretty(decoded)) + "\n")
        self.printed += 1
        return True

    def _show_foreign(self, data: bytes, where: str) -> bool:
        self.foreign += 1
        text = data.decode("utf-8", errors="replace")
        utf8 = "\ufffd" not in text or text.encode() == data
        if not utf8 and not self._said_not_utf8:
            self._said_not_utf8 = True
            self.warn(
                f"record {where} (and perhaps others) is not UTF-8 text: invalid bytes are shown as U+FFFD"
                + (", the exact bytes as Base64" if self.output_format == "jsonl" else "")
            )
        if self.name is not None:
            preview = visible(text[:PREVIEW_CHARS]) + ("..." if len(text) > PREVIEW_CHARS else "")
            self.warn(f"record {where} is not a unicorn record, skipped: {preview}")
            return False
        self.warn(f"record {where} is not a unicorn record, shown raw")
        if self.output_format == "jsonl":
            entry = {"Raw": text, "Record": where}
            if not utf8:
                entry["Base64"] = base64.b64encode(data).decode()
            self.out.write(json_safe(json.dumps(entry, ensure_ascii=False)) + "\n")
        else:
            self.out.write(visible(text) + "\n")
        self.printed += 1
        return True
