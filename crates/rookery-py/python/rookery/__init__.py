"""rookery: clisops-compatible climate data operations run by a Rust engine.

>>> from rookery import ops
>>> outs = ops.subset("tas_*.nc", time="2000/2010", area=(0, 40, 20, 60), output_type="xarray")

``rookery.Client`` talks to a rookery (or rook) server's OGC API – Processes: jobs, their
status, downloads.

``rookery.ops`` mirrors ``clisops.ops`` (same names, parameters, defaults, return values and
exception classes); ``rookery.exceptions`` holds the exceptions.
"""

from . import exceptions, ops
from ._rookery import __version__
from .client import Client, Job


__all__ = ["Client", "Job", "__version__", "exceptions", "ops"]
