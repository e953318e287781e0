#!/usr/bin/python
# A test module: what a module sees of its process (environment, folder, arguments, what was imported before it).
import os
import sys

WARM = "boto3" in sys.modules  # before this module imports anything: true only in a warm runner

from ansible.module_utils.basic import AnsibleModule  # noqa: E402


def main():
    module = AnsibleModule(argument_spec={"names": {"type": "list", "elements": "str", "default": []}})
    module.exit_json(
        changed=False,
        warm=WARM,
        pid=os.getpid(),
        env={name: os.environ.get(name) for name in module.params["names"]},
        cwd=os.getcwd(),
        argv_count=len(sys.argv),
        stdin_empty=sys.stdin.read() == "",
        main_name=__name__,
    )


if __name__ == "__main__":
    main()
