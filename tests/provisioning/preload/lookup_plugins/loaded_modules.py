"""Which of the given Python modules the process running the lookup has already imported (a task's worker, when the
lookup is in the task's `when`: evaluated before the worker makes the task's connection)."""

import sys

from ansible.plugins.lookup import LookupBase


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        return [name for name in terms if name in sys.modules]
