"""The local AWS endpoint: a stand-in for the AWS services this lab uses, on 127.0.0.1.

One front door (`frontdoor`) takes every request: Host check, the control API (with its token), CORS for the
AWS APIs, the wire protocol (JSON, CBOR, query), SigV4 authentication, a request validator driven by botocore's
service models (`wire`), IAM authorization on the resource each call acts on (`iam`), then the service: ours
where moto is wrong at its core (Kinesis, STS, Cognito Identity, CloudWatch metrics), moto's (IAM storage) through
its WSGI app and the `x-moto-account-id` header it reads. Nothing here assigns into moto's modules or classes.

One settings model (`settings`), one injectable clock (`clock`), and a state folder passed explicitly (`state`).
"""
