"""Sequence numbers and shard ids, in the forms AWS uses.

A sequence number is a 56-digit decimal number; in hexadecimal it has 47 digits laid out as AWS's are (the
layout kinesalite's tests, written against the live API, decode):

    2 0 CCCCCCCC N IIIIIIIIIIIIIIII 000 TTTTTTTT SSSSSSSS 2
        shard    ^ index (63 bits)      arrival  shard    version
        created  shard index's low nibble         index (signed 32 bits)

C is the shard's creation second and T the record's arrival second. I counts records across the whole stream,
so within a shard numbers only grow; a child shard is created at least a second after its parents close, so its
numbers are greater than every number of its parents. A shard's StartingSequenceNumber has index 0 and its
creation second in both time fields; a closed shard's EndingSequenceNumber has the largest index.
"""

import re
from dataclasses import dataclass

VERSION = 2
MAX_INDEX = 2**63 - 1
_TOP = VERSION << 184
_SHARD_ID = re.compile(r"^(?:.*-)?(\d+)$")
MAX_SHARD_INDEX = 2**31 - 1


def shard_base(created_second: int, shard_index: int) -> int:
    """The fields every sequence number of a shard shares (OR the index and arrival second into it)."""
    return (
        _TOP
        | (created_second & 0xFFFFFFFF) << 148
        | (shard_index & 0xF) << 144
        | (shard_index & 0xFFFFFFFF) << 4
        | VERSION
    )


def sequence_number(created_second: int, shard_index: int, index: int, arrival_second: int) -> str:
    return str(shard_base(created_second, shard_index) | index << 80 | (arrival_second & 0xFFFFFFFF) << 36)


@dataclass(frozen=True)
class Decoded:
    created_second: int
    shard_index: int  # may be negative: AWS reads that field as a signed 32-bit number
    index: int
    arrival_second: int


def decode(text: str, versions: tuple[int, ...] = (1, 2)) -> Decoded | None:
    """The parts of a sequence number, or None when it is not one AWS could have made."""
    if not (text.isascii() and text.isdigit()) or len(text) > 60:
        return None
    value = int(text)
    if value >> 180 != 0x20 or value & 0xF not in versions:
        return None
    index = (value >> 80) & 0xFFFFFFFFFFFFFFFF
    if index > MAX_INDEX:
        return None
    shard = (value >> 4) & 0xFFFFFFFF
    if shard >= 2**31:
        shard -= 2**32
    return Decoded(
        created_second=(value >> 148) & 0xFFFFFFFF,
        shard_index=shard,
        index=index,
        arrival_second=(value >> 36) & 0xFFFFFFFF,
    )


def shard_id(index: int) -> str:
    # A negative index prints as AWS prints it: shardId--02147483648.
    return f"shardId-{index:012d}"


def shard_index(text: str) -> int | None:
    """The index a shard id names, accepting the short forms AWS accepts ('shardId-1', '1', 'x-0001');
    None when AWS answers 'Could not find shard' whatever the stream (not digits, or beyond 2^31-1)."""
    match = _SHARD_ID.match(text)
    if match is None:
        return None
    index = int(match.group(1))
    return index if index <= MAX_SHARD_INDEX else None
