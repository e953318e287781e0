"""The session policy AWS adds to credentials the enhanced flow (GetCredentialsForIdentity) hands to
*unauthenticated* identities: such a guest may do only what both its role and this policy allow.

It is AWS's managed policy AmazonCognitoUnAuthedIdentitiesSessionPolicy, version v3 (the default version as its
page in the AWS Managed Policy Reference shows it: created 2023-07-19, edited 2024-11-01). It names no Kinesis
action, so the workshop's dashboard must use the basic (classic) flow (see docs/guide.md). Authenticated
identities get no such policy.
"""

from typing import Any

UNAUTHENTICATED_SESSION_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "CognitoUnAuthedIdentitiesSessionPolicy",
            "Effect": "Allow",
            "Action": [
                "rum:PutRumEvents",
                "sagemaker:InvokeEndpoint",
                "polly:*",
                "comprehend:*",
                "translate:*",
                "transcribe:*",
                "rekognition:*",
                "mobiletargeting:*",
                "firehose:*",
                "personalize:*",
                "geo:GetMap*",
                "geo:SearchPlaceIndex*",
                "geo:GetPlace",
                "geo:CalculateRoute*",
                "geo:*Geofence",
                "geo:*Geofences",
                "geo:*DevicePosition*",
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncryptTo",
                "kms:ReEncryptFrom",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyPair",
                "kms:GenerateDataKeyPairWithoutPlaintext",
                "kms:GenerateDataKeyWithoutPlaintext",
            ],
            "Resource": "*",
        }
    ],
}
