"""Make ansible-test runnable offline on this collection.

ansible-test sees only the collections under the collection root (collections/ansible_collections), and Galaxy is
out of reach: amazon.aws and community.aws, as the pinned `ansible` package ships them, are linked in beside
wildrydes.lab (the links are git-ignored). ansible-test also bootstraps pip in each of its virtual environments
with a script it downloads from ci-files.testing.ansible.com unless it finds one in its cache; the cached script
written here uses the pip bundled with Python (ensurepip) instead.
"""

from __future__ import annotations

import re
import sys
import sysconfig
from pathlib import Path

COLLECTION_ROOT = Path(__file__).resolve().parents[1] / "ansible_collections"
DEPENDENCIES = ("amazon/aws", "community/aws")
BOOTSTRAP = """\
# Written by the Wild Rydes project (collections/tools/prepare_ansible_test.py): ansible-test would download
# get-pip; offline, the pip bundled with Python bootstraps its virtual environments instead.
import ensurepip

ensurepip.bootstrap(upgrade=True)
"""


def link_dependencies() -> list[Path]:
    installed = Path(sysconfig.get_paths()["purelib"]) / "ansible_collections"
    links = []
    for name in DEPENDENCIES:
        source, link = installed / name, COLLECTION_ROOT / name
        if not source.is_dir():
            raise SystemExit(f"{source} is missing: install the pinned `ansible` package (make install)")
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() and link.resolve() == source.resolve():
            continue
        if link.is_symlink():
            link.unlink()
        elif link.exists():
            raise SystemExit(f"{link} exists and is not a link: not replacing it")
        link.symlink_to(source, target_is_directory=True)
        links.append(link)
    return links


def wanted_pip_version() -> str:
    """The pip version whose bootstrap script this ansible-test looks for (its cache file is named after it)."""
    from ansible_test._internal import python_requirements

    source = Path(python_requirements.__file__).read_text()
    match = re.search(r"default_packages = dict\(\s*pip='([^']+)'", source)
    if not match:
        raise SystemExit("cannot find the pip version ansible-test bootstraps (ansible_test changed?)")
    return match.group(1)


def write_bootstrap() -> Path:
    path = Path.home() / ".ansible/test/cache" / f"get_pip_{wanted_pip_version().replace('.', '_')}.py"
    if not path.exists():  # a real get-pip someone put there is kept
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(BOOTSTRAP)
    return path


def main() -> int:
    for link in link_dependencies():
        print(f"linked {link}")
    print(f"pip bootstrap: {write_bootstrap()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
