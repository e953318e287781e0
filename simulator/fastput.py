"""A lean PutRecords call: the herd's hot path, without boto3's per-entry overhead.

boto3 validates, serialises and parses each of the up to 500 entries of a PutRecords call through its
generic machinery; at 10,000 unicorns that costs more CPU than the unicorns themselves. This client
builds the JSON body directly, signs it with botocore's own SigV4 signer (same credentials chain,
refreshed per call), sends it over a pooled keep-alive connection, and raises botocore's ClientError for
AWS errors, so callers cannot tell it from `boto3.client("kinesis").put_records`.
"""

import base64
import json
from typing import Any

import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

TARGET = "Kinesis_20131202.PutRecords"
CONTENT_TYPE = "application/x-amz-json-1.1"


class PutRecordsClient:
    def __init__(self, endpoint_url: str, region: str, credentials: Any, timeout: float = 10.0):
        """`credentials`: botocore credentials (refreshing ones are refreshed on each call), or None."""
        self.url = endpoint_url.rstrip("/") + "/"
        self.region = region
        self._credentials = credentials
        self._pool = urllib3.PoolManager(maxsize=8, timeout=urllib3.Timeout(total=timeout), retries=False)

    def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:
        if self._credentials is None:
            raise NoCredentialsError()
        entries = ",".join(
            f'{{"Data":"{base64.b64encode(entry["Data"]).decode()}","PartitionKey":{json.dumps(entry["PartitionKey"])}}}'
            for entry in Records
        )
        body = f'{{"StreamName":{json.dumps(StreamName)},"Records":[{entries}]}}'.encode()
        request = AWSRequest(
            method="POST", url=self.url, data=body, headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET}
        )
        SigV4Auth(self._credentials.get_frozen_credentials(), "kinesis", self.region).add_auth(request)
        try:
            reply = self._pool.request("POST", self.url, body=body, headers=dict(request.headers.items()))
        except urllib3.exceptions.HTTPError as error:
            raise EndpointConnectionError(endpoint_url=self.url, error=error) from None
        try:
            payload = json.loads(reply.data or b"{}")
        except ValueError:
            payload = {}
        if reply.status >= 400:
            code = str(payload.get("__type", reply.status)).rsplit("#", 1)[-1]
            message = payload.get("message") or payload.get("Message") or ""
            raise ClientError(
                {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": reply.status}},
                "PutRecords",
            )
        return payload
