# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A stand-in for AnsibleAWSModule that records what a module would exit or fail with, and helpers for stubs."""

from __future__ import annotations

import botocore.exceptions


class Failed(Exception):
    """What fail_json / fail_json_aws would have reported."""

    def __init__(self, result):
        super().__init__(result.get("msg"))
        self.result = result


class FakeModule:
    def __init__(self, params, check_mode=False):
        self.params = params
        self.check_mode = check_mode

    def fail_json(self, **result):
        raise Failed(result)

    def fail_json_aws(self, exception, msg=None, **result):
        raise Failed({"msg": f"{msg}: {exception}", "exception": exception, **result})


def client_error(code, operation="Operation", message="stubbed"):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, operation)
