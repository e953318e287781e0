# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Loads, once in ansible-playbook's own process, the plugins every task's worker would otherwise load again."""

from __future__ import annotations

DOCUMENTATION = r"""
name: preload
type: aggregate
short_description: Load the lab's connection and lookup plugins once, before the workers fork
version_added: 1.2.0
description:
  - Ansible runs each task of each host in a worker process forked from ansible-playbook, and a plugin that
    ansible-playbook itself never loaded is loaded again by every worker that needs it (for the warm connection
    about 15 ms of CPU for every task; for the aws_regions lookup, which imports botocore, about 200 ms).
  - At the start of each playbook this callback loads the wildrydes.lab.warm connection and the
    wildrydes.lab.aws_regions and ansible.builtin.env lookups in ansible-playbook's own process, so every worker
    finds them loaded. It prints nothing and changes no result.
requirements:
  - enable in ansible.cfg, C(callbacks_enabled = wildrydes.lab.preload)
"""

from ansible.plugins.callback import CallbackBase
from ansible.plugins.loader import connection_loader, lookup_loader

# What the lab's tasks load in every worker: the attendees' connection (every task makes one) and the lookups of the
# lab's variables (the environment of every task reads the state folder from the process environment).
PRELOADED = (
    (connection_loader, "wildrydes.lab.warm"),
    (lookup_loader, "wildrydes.lab.aws_regions"),
    (lookup_loader, "ansible.builtin.env"),
)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "wildrydes.lab.preload"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_start(self, playbook):
        for loader, name in PRELOADED:
            # class_only: load the plugin's code and settings (and what it imports), make no instance.
            loader.get(name, class_only=True)
