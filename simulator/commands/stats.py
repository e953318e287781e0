"""`simulate stats`: the console's Monitoring tab in the terminal — records put per period, as a live chart.

Reads the stream's CloudWatch metrics (namespace AWS/Kinesis): IncomingRecords, and the put success
counts (PutRecords.SuccessfulRecords + PutRecord.Success). Works on real AWS and on the local endpoint.
"""

import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from rich.live import Live
from rich.table import Table

from simulator import awsconfig
from simulator.commands.common import EndpointUrl, Profile, Region, Stream
from simulator.commands.output import console, reports_user_errors
from simulator.errors import UserError, no_credentials, stream_not_found

SERIES = {
    "incoming": ("IncomingRecords",),
    "put success": ("PutRecords.SuccessfulRecords", "PutRecord.Success"),
}
BAR_WIDTH = 40


def fetch(cloudwatch: Any, stream: str, minutes: int, period: int) -> dict[str, dict[datetime, float]]:
    """Per series: bucket start → sum over the bucket."""
    end = datetime.now(UTC)
    # Bars start on period boundaries (18:09:00, 18:10:00, ...), as in the console.
    first = int((end - timedelta(minutes=minutes)).timestamp()) // period * period
    start = datetime.fromtimestamp(first, UTC)
    series: dict[str, dict[datetime, float]] = {}
    for label, metric_names in SERIES.items():
        buckets: dict[datetime, float] = {}
        for metric in metric_names:
            reply = cloudwatch.get_metric_statistics(
                Namespace="AWS/Kinesis",
                MetricName=metric,
                Dimensions=[{"Name": "StreamName", "Value": stream}],
                StartTime=start,
                EndTime=end,
                Period=period,
                Statistics=["Sum", "SampleCount"],
            )
            for point in reply.get("Datapoints", []):
                # PutRecord.Success is an average of 0/1 per call: its sum is the successful calls.
                buckets[point["Timestamp"]] = buckets.get(point["Timestamp"], 0.0) + point.get("Sum", 0.0)
        series[label] = buckets
    return series


def chart(stream: str, series: dict[str, dict[datetime, float]], minutes: int, period: int) -> Table:
    table = Table(title=f"stream {stream}: records per {period} s, last {minutes} min", expand=False)
    table.add_column("period (UTC)")
    for label in series:
        table.add_column(label, justify="right")
    table.add_column("chart", no_wrap=True)
    moments = sorted({moment for buckets in series.values() for moment in buckets})
    peak = max((v for v in series["incoming"].values()), default=0.0) or 1.0
    if not moments:
        table.add_row("(no data yet)", *["0"] * len(series), "")
    for moment in moments:
        values = [series[label].get(moment, 0.0) for label in series]
        bar = "█" * round(BAR_WIDTH * series["incoming"].get(moment, 0.0) / peak)
        table.add_row(moment.astimezone(UTC).strftime("%H:%M:%S"), *[f"{v:,.0f}" for v in values], bar)
    return table


@reports_user_errors
def stats(
    stream: Stream = "wildrydes",
    minutes: Annotated[int, typer.Option(min=1, max=1440, help="How far back to show.")] = 15,
    period: Annotated[int, typer.Option(min=1, help="Seconds per bar (AWS basic monitoring: 60).")] = 60,
    refresh: Annotated[float, typer.Option(min=1, help="Seconds between refreshes.")] = 10.0,
    once: Annotated[bool, typer.Option(help="Print the chart once and exit.")] = False,
    region: Region = None,
    endpoint_url: EndpointUrl = None,
    profile: Profile = None,
) -> None:
    """Put success count and incoming records per period, from CloudWatch, as a live chart."""
    target = awsconfig.resolve(region=region, endpoint_url=endpoint_url, profile=profile)
    cloudwatch = awsconfig.client(target, "cloudwatch")
    kinesis = awsconfig.client(target, "kinesis")

    def current() -> Table:
        try:
            return chart(stream, fetch(cloudwatch, stream, minutes, period), minutes, period)
        except NoCredentialsError:
            raise no_credentials() from None
        except (ClientError, BotoCoreError) as error:
            raise UserError(f"cannot read CloudWatch metrics at {target.describe()}: {error}") from None

    try:
        kinesis.describe_stream_summary(StreamName=stream)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            raise stream_not_found(stream, target.describe()) from None
        raise UserError(f"cannot describe stream {stream!r}: {error}") from None
    except (NoCredentialsError, BotoCoreError) as error:
        raise UserError(f"cannot reach Kinesis at {target.describe()}: {error}") from None
    if once:
        console.print(current())
        return
    try:
        with Live(current(), console=console, refresh_per_second=1) as live:
            while True:
                time.sleep(refresh)
                live.update(current())
    except KeyboardInterrupt:
        pass
