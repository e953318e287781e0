# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
name: aws_regions
short_description: The regions where an AWS service is offered, from botocore's own endpoint data
description:
  - Lists regions offline (no API call), so a misspelt region fails before anything is changed.
options:
  _terms:
    description: The service, as boto3 names it (default V(kinesis)).
    required: false
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Check the region
  ansible.builtin.assert:
    that: wildrydes_region in lookup('wildrydes.lab.aws_regions', 'kinesis', wantlist=True)
"""

RETURN = r"""
_raw:
  description: Region names.
  type: list
  elements: str
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

try:
    import botocore.session
except ImportError:
    # Failing at import time would break even `ansible-doc` and inventories that never call the lookup.
    botocore = None


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        if botocore is None:
            raise AnsibleLookupError("wildrydes.lab.aws_regions needs botocore")
        service = terms[0] if terms else "kinesis"
        session = botocore.session.Session()
        regions = set()
        for partition in session.get_available_partitions():
            regions.update(session.get_available_regions(service, partition_name=partition))
        return sorted(regions)
