# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Real botocore clients answered by botocore's Stubber, which checks every request against the service model."""

from __future__ import annotations

import botocore.session
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from botocore.stub import Stubber

# One session for every test: it caches the service models, which take most of a client's making.
SESSION = botocore.session.get_session()


@pytest.fixture
def stubbed():
    """stubbed("kinesis") -> (client wrapped like module.client(..., retry_decorator=...), its Stubber)."""
    stubbers = []

    def make(service, retry=True):
        client = SESSION.create_client(
            service, region_name="us-east-1", aws_access_key_id="AKIDUNITTEST", aws_secret_access_key="unit-test"
        )
        stubber = Stubber(client)
        stubber.activate()
        stubbers.append(stubber)
        wrapped = RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=1)) if retry else client
        return wrapped, stubber

    yield make
    for stubber in stubbers:
        stubber.assert_no_pending_responses()
        stubber.deactivate()
