"""Wild Rydes streaming lab as code: the unicorn simulator and the local AWS endpoint."""

__version__ = "0.1.0"
