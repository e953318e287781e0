# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
name: warm
short_description: Run on the controller, with Python modules started from a warm interpreter
description:
  - The M(ansible.builtin.local) connection, except that a Python module (an AnsiballZ payload run by an absolute
    python interpreter, as Ansible builds it) is run by a fork of a Python that has already imported Ansible's
    module support and boto3, instead of by a new Python that imports them again.
  - Every AWS task otherwise spends most of its CPU importing; for a class of attendees this is most of the cost.
  - Each run is still its own process with the task's environment, working folder, standard output, standard error
    and exit status; modules that were not preloaded come from the module's own payload.
  - One server per ansible-playbook process and interpreter, started on first use, reachable only by this user
    (a socket in a 0700 folder under the temporary folder); it exits with ansible-playbook.
  - Anything else (shell commands, privilege escalation, other interpreters, files) runs exactly as the local
    connection runs it, and so does a module when the server cannot be started.
author:
  - Wild Rydes lab maintainers (@wildrydes-lab)
version_added: 1.1.0
extends_documentation_fragment:
  - connection_pipelining
notes:
  - Use it for attendees reached from the controller, for example C(ansible_connection=wildrydes.lab.warm) in a
    class inventory; docs/benchmarks.md measures what it saves.
"""

import os
import sys

import ansible.constants as C
from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.connection.local import Connection as LocalConnection
from ansible.utils.display import Display
from ansible_collections.wildrydes.lab.plugins.plugin_utils import warm_client

display = Display()


class Connection(LocalConnection):
    """The local connection with Python modules run by a warm interpreter."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The play's first tasks (argument checks) need no module: the server for the controller's own Python (the
        # lab's interpreter) imports meanwhile.
        warm_client.prestart(warm_client.owner_pid(), sys.executable)

    # transport stays "local" (inherited): Ansible treats local connections specially (the task's folder as the
    # working folder, local paths), and this one is local in every way but the start-up of Python.

    def exec_command(self, cmd, in_data=None, sudoable=True):
        shell = C.DEFAULT_EXECUTABLE.split()[0] if C.DEFAULT_EXECUTABLE else "/bin/sh"
        plan = None if (sudoable and self.become) else warm_client.plan(cmd, in_data, shell)
        if plan is not None:
            if not self._connected:
                self._connect()
            try:
                # ansible-playbook owns the server's lifetime.
                done = warm_client.run_module(
                    plan, in_data, warm_client.owner_pid(), os.fsdecode(self.cwd or os.getcwd())
                )
            except warm_client.WarmUnavailable as error:
                display.vvv(f"warm runner unavailable ({error}); running the module the usual way")
                done = None
            except warm_client.WarmRunLost as error:
                raise AnsibleConnectionFailure(str(error)) from error
            if done is not None:
                display.vvv(f"EXEC (warm) {cmd}", host=self._play_context.remote_addr)
                return done
        return super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
