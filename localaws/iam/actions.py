"""The Service Authorization Reference's action table (actions.json, made by generate_actions.py): which
resource types an action is authorised on, and so which resource a request is checked against."""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("actions.json")

# ${Partition}, ${Region} and ${Account} are one ARN segment each; the names in the resource part may hold `/`
# (paths) and `:` (identity pool ids "us-east-1:...").
_SEGMENT_VARIABLES = frozenset({"Partition", "Region", "Account"})
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class ResourceType:
    name: str  # "stream"
    arn: str  # "arn:${Partition}:kinesis:${Region}:${Account}:stream/${StreamName}"
    required: bool
    pattern: re.Pattern[str]

    def matches(self, arn: str) -> bool:
        return self.pattern.fullmatch(arn) is not None


def _pattern(arn: str) -> re.Pattern[str]:
    regex, position = [], 0
    for variable in _VARIABLE.finditer(arn):
        regex.append(re.escape(arn[position : variable.start()]))
        regex.append("[^:]*" if variable.group(1) in _SEGMENT_VARIABLES else ".+")
        position = variable.end()
    regex.append(re.escape(arn[position:]))
    return re.compile("".join(regex), re.DOTALL)


class ActionTable:
    def __init__(self, table: dict) -> None:
        self._actions: dict[str, tuple[ResourceType, ...]] = {}
        for prefix, service in table["services"].items():
            for action, types in service["actions"].items():
                self._actions[f"{prefix}:{action}".lower()] = tuple(
                    ResourceType(each["name"], each["arn"], each["required"], _pattern(each["arn"])) for each in types
                )

    def known(self, action: str) -> bool:
        return action.lower() in self._actions

    def resource_types(self, action: str) -> tuple[ResourceType, ...] | None:
        """The action's resource types (empty: authorised on "*" only); None for an action not in the table."""
        return self._actions.get(action.lower())

    def request_resource(self, action: str, resource: str) -> str | None:
        """The resource IAM evaluates the action against: the ARN when it is of one of the action's resource types,
        else "*" (an action without resource types, or a resource the service could not name: only a statement
        whose Resource matches "*" grants it); None for an action not in the table (denied)."""
        types = self._actions.get(action.lower())
        if types is None:
            return None
        if any(each.matches(resource) for each in types):
            return resource
        return "*"


@cache
def action_table() -> ActionTable:
    return ActionTable(json.loads(TABLE.read_text(encoding="utf-8")))
