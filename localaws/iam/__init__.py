"""IAM authorization on the resource each call acts on.

moto's IAM backend is the store (roles, users, groups, policies, access keys: the front door forwards IAM calls
to moto); what callers may do is decided here: `IamView` reads the store as callers see it (changes take
`iam_propagation_delay` seconds to take effect), `Authorizer` evaluates identity and session policies against the
resource each call acts on (per the Service Authorization Reference's action table, actions.json) and role trust
policies, `accesses_for` names the resources of the IAM and KMS calls forwarded to moto, and `IamUserKeys` turns
IAM users' access keys into credentials.
"""

from localaws.iam.accesses import accesses_for
from localaws.iam.authorizer import Authorizer
from localaws.iam.facts import RoleFacts
from localaws.iam.keys import IamUserKeys
from localaws.iam.view import IamView

__all__ = ["Authorizer", "IamUserKeys", "IamView", "RoleFacts", "accesses_for"]
