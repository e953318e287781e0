"""The libraries the endpoint is built on, pinned exactly: it refuses to serve on any other release.

moto serves IAM's store and KMS through its WSGI app; h2 (with hpack and hyperframe) speaks HTTP/2 for the SDKs that
need it (SubscribeToShard in the JavaScript and Java SDKs). Another release may differ in exactly what we rely on, so
a mismatch stops the endpoint at start with one line saying what to install, rather than failing later mid-request.
"""

from importlib.metadata import PackageNotFoundError, version

PINNED = {"moto": "5.2.5", "h2": "4.4.1", "hpack": "4.2.0", "hyperframe": "6.1.0"}


def installed_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def check_pinned_versions(pins: dict[str, str] = PINNED) -> None:
    for name, wanted in pins.items():
        installed = installed_version(name)
        if installed != wanted:
            found = f"{name} {installed} is installed" if installed else f"{name} is not installed"
            raise SystemExit(
                f"the local endpoint needs {name} {wanted} but {found}: "
                f"run `make install` (or `pip install {name}=={wanted}`)"
            )
