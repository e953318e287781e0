#!/usr/bin/python
# A test module that ends badly in each way a module can, to compare the warm runner with a plain Python.
import atexit
import os
import signal
import sys
import threading
import time

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={"how": {"type": "str", "required": True}, "path": {"type": "str"}})
    how, path = module.params["how"], module.params["path"]
    if how == "raise":
        raise RuntimeError("the module broke")
    if how == "exit3":
        sys.exit(3)
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "garbage":
        print("this is not JSON")
        sys.exit(0)
    if how == "stderr":
        sys.stderr.write("a warning on stderr\n")
        module.exit_json(changed=True)
    if how == "thread":
        # A non-daemon thread: Python waits for it before exiting, and so must the runner.
        def later():
            time.sleep(0.3)
            with open(path, "w") as handle:
                handle.write("thread")

        threading.Thread(target=later).start()
        module.exit_json(changed=True)
    if how == "atexit":

        def leave():
            with open(path, "w") as handle:
                handle.write("atexit")

        atexit.register(leave)
        module.exit_json(changed=True)
    if how == "unicode":
        module.exit_json(changed=False, text="유니콘 🦄 \u00e9")
    module.fail_json(msg=f"unknown how {how}")


if __name__ == "__main__":
    main()
