"""Access keys of IAM users (CreateAccessKey, stored by moto) as credentials the front door accepts."""

from localaws.context import Credential, Principal
from localaws.iam import moto_iam


class IamUserKeys:
    def lookup(self, access_key_id: str) -> Credential | None:
        """The credential of an Active access key of an existing IAM user; None for any other key (unknown,
        Inactive, deleted, a user's that is gone, or a temporary key moto made)."""
        for account_id in moto_iam.accounts():
            key = moto_iam.backend(account_id).access_keys.get(access_key_id)
            if key is None:
                continue
            if key.user_name is None or key.status != "Active":
                return None
            user = moto_iam.backend(account_id).users.get(key.user_name)
            if user is None or not user.has_access_key(access_key_id):
                return None
            principal = Principal(account_id=account_id, kind="user", arn=user.arn, name=user.name, user_id=user.id)
            return Credential(access_key_id, key.secret_access_key, principal)
        return None
