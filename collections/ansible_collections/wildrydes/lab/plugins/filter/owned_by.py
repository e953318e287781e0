# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's ownership rule, written once: a resource is ours when it carries the owner tag (or force says so)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: owned_by
short_description: Whether a resource's tags mark it as made by this automation
version_added: 1.0.0
description:
  - True when every key and value of O(owner_tag) is among the resource's tags, or when O(force) is true.
  - Tags may be a dict (as amazon.aws returns them) or a list of C(Key)/C(Value) dicts (as boto3 returns them).
options:
  _input:
    description: The resource's tags.
    type: raw
    required: true
  owner_tag:
    description: 'The tag that marks what this automation made, for example C({"ManagedBy": "wildrydes-lab"}).'
    type: dict
    required: true
  force:
    description: Treat the resource as ours whatever its tags (a leftover to take over or remove).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Delete the stream only when it is ours
  wildrydes.lab.kinesis_stream:
    name: wildrydes
    state: absent
  when: found.tags | wildrydes.lab.owned_by(wildrydes_owner_tag, force=wildrydes_force)
"""

RETURN = r"""
_value:
  description: Whether the resource is ours.
  type: bool
"""

from collections.abc import Mapping
from typing import Any

from ansible.errors import AnsibleFilterError


def _as_dict(tags: Any) -> dict[str, str]:
    if tags is None:
        return {}
    if isinstance(tags, Mapping):
        return {str(key): str(value) for key, value in tags.items()}
    if isinstance(tags, list):
        return {str(tag["Key"]): str(tag.get("Value", "")) for tag in tags if isinstance(tag, Mapping) and "Key" in tag}
    raise AnsibleFilterError(f"owned_by: tags must be a dict or a list of Key/Value dicts, not {type(tags).__name__}")


def owned_by(tags: Any, owner_tag: Mapping[str, str], force: bool = False) -> bool:
    if force:
        return True
    if not isinstance(owner_tag, Mapping) or not owner_tag:
        raise AnsibleFilterError("owned_by: owner_tag must be a non-empty dict such as {'ManagedBy': 'wildrydes-lab'}")
    have = _as_dict(tags)
    return all(have.get(str(key)) == str(value) for key, value in owner_tag.items())


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"owned_by": owned_by}
