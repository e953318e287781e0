"""Options every stream command shares, and the one way they turn into a Kinesis client."""

from typing import Annotated, Any

import typer

from simulator import awsconfig

Stream = Annotated[str, typer.Option("--stream", help="Kinesis stream name.")]
Region = Annotated[str | None, typer.Option(help="AWS region (default: AWS_REGION, the profile's, or us-east-1).")]
EndpointUrl = Annotated[
    str | None,
    typer.Option(help="AWS endpoint URL, e.g. http://127.0.0.1:4566 (default: AWS_ENDPOINT_URL, or real AWS)."),
]
Profile = Annotated[str | None, typer.Option(help="AWS profile (default: AWS_PROFILE, or the default chain).")]


def kinesis_client(region: str | None, endpoint_url: str | None, profile: str | None, **kwargs: Any):
    """Resolve the target the usual AWS way and make a Kinesis client for it."""
    target = awsconfig.resolve(region=region, endpoint_url=endpoint_url, profile=profile)
    return target, awsconfig.client(target, "kinesis", **kwargs)
