# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Loads, once in ansible-playbook's own process, the plugins every task's worker would otherwise load again."""

from __future__ import annotations

DOCUMENTATION = r"""
name: preload
type: aggregate
short_description: Load the plugins the lab's tasks use once, before the workers fork
version_added: 1.2.0
description:
  - Ansible runs each task of each host in a worker process forked from ansible-playbook, and a plugin that
    ansible-playbook itself never loaded is loaded again by every worker that needs it (for the warm connection
    about 15 ms of CPU for every task; for the aws_regions lookup, which imports botocore, about 200 ms).
  - At the start of each playbook this callback loads, in ansible-playbook's own process, the wildrydes.lab.warm
    connection, the actions of the lab's tasks, the wildrydes.lab.aws_regions and
    ansible.builtin.env lookups, and the builtin filters and tests and wildrydes.lab.owned_by, so every worker finds
    them loaded. It prints nothing and changes no result.
requirements:
  - enable in ansible.cfg, C(callbacks_enabled = wildrydes.lab.preload)
"""

from ansible.plugins.callback import CallbackBase
from ansible.plugins.loader import (
    action_loader,
    connection_loader,
    filter_loader,
    lookup_loader,
    test_loader,
)

# What the lab's tasks load in every worker and ansible-playbook does not: the warm connection (every task makes
# one; the builtin connections and shells are loaded already), the actions of its tasks, the lookups of its
# variables (the environment of every task reads the process environment), and the filters and tests of its
# templates (each name loads its whole file: core, mathstuff, files...).
PRELOADED = (
    (connection_loader, "wildrydes.lab.warm"),
    (action_loader, "ansible.builtin.normal"),
    (action_loader, "ansible.builtin.assert"),
    (action_loader, "ansible.builtin.fail"),
    (action_loader, "ansible.builtin.set_fact"),
    (action_loader, "ansible.builtin.copy"),
    (action_loader, "ansible.builtin.validate_argument_spec"),
    (lookup_loader, "wildrydes.lab.aws_regions"),
    (lookup_loader, "ansible.builtin.env"),
)
TEMPLATE_PLUGINS = (
    (filter_loader, "ansible.builtin.combine"),
    (filter_loader, "wildrydes.lab.owned_by"),
    (test_loader, "ansible.builtin.match"),
)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "wildrydes.lab.preload"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_start(self, playbook):
        # A name that does not resolve (a collection not installed) loads nothing: the workers load what they need.
        for loader, name in PRELOADED:
            # class_only: load the plugin's code and settings (and what it imports), make no instance.
            loader.get(name, class_only=True)
        for loader, name in TEMPLATE_PLUGINS:
            loader.get(name)
