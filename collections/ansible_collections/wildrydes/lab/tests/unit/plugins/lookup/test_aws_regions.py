# -*- coding: utf-8 -*-

# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The aws_regions lookup reads botocore's endpoint data, offline."""

from __future__ import annotations

from ansible_collections.wildrydes.lab.plugins.lookup.aws_regions import LookupModule


def test_kinesis_regions_include_the_workshops_and_other_partitions():
    regions = LookupModule().run(["kinesis"])
    assert "us-east-1" in regions and "eu-west-1" in regions
    assert regions == sorted(set(regions))


def test_kinesis_is_the_default_service():
    assert LookupModule().run([]) == LookupModule().run(["kinesis"])


def test_an_unknown_service_has_no_regions():
    assert LookupModule().run(["no-such-service"]) == []
