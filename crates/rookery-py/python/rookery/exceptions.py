"""The exceptions of ``rookery.ops``, by the names clisops uses.

When clisops is installed, each class here also derives from clisops' class of the same name,
so ``except clisops.exceptions.InvalidParameterValue`` keeps working after switching a
notebook from ``clisops.ops`` to ``rookery.ops``.
"""

from __future__ import annotations

from typing import NoReturn

try:  # pragma: no cover - depends on the environment
    from clisops import exceptions as _clisops
except ImportError:  # pragma: no cover
    _clisops = None


def _base(name: str) -> tuple[type, ...]:
    cls = getattr(_clisops, name, None) if _clisops is not None else None
    return (cls,) if cls is not None else (Exception,)


class RookeryError(Exception):
    """Base of every error rookery raises for a failed operation."""


class InvalidParameterValue(RookeryError, ValueError, *_base("InvalidParameterValue")):
    """A parameter that is malformed or cannot be satisfied (clisops ``InvalidParameterValue``;
    also a ``ValueError``, which clisops raises for some of them, e.g. a start after the end)."""


class InvalidCollection(RookeryError, *_base("InvalidCollection")):
    """A collection naming no dataset, or a dataset id no project holds."""


class InvalidProject(RookeryError, *_base("InvalidProject")):
    """A project that is not configured."""


class NoDataError(RookeryError, ValueError):
    """The request selects no data (clisops raises ``ValueError``)."""


class DataError(RookeryError, ValueError):
    """Data that cannot be interpreted (no CF coordinates, bad units, ...)."""


class ConfigError(RookeryError):
    """A roocs.ini or fix file that cannot be read or parsed."""


class EngineIOError(RookeryError, OSError):
    """Reading or writing failed."""


class FileNotFound(RookeryError, FileNotFoundError):
    """A file, directory or glob that does not exist (or matches nothing)."""


class ServiceError(RookeryError):
    """A rookery server refused a request or a job failed (:class:`rookery.Client`): ``status``
    is the HTTP status (None for a failed job or an unreachable server), ``url`` the address."""

    def __init__(self, status: int | None, message: str, url: str = "") -> None:
        super().__init__(f"{status}: {message}" if status else message)
        self.status = status
        self.message = message
        self.url = url


_KINDS: dict[str, type[Exception]] = {
    "invalid": InvalidParameterValue,
    "collection": InvalidCollection,
    "project": InvalidProject,
    "no_data": NoDataError,
    "data": DataError,
    "config": ConfigError,
    "fix": ConfigError,
    "not_found": FileNotFound,
    "io": EngineIOError,
}


def raise_engine_error(err: Exception) -> NoReturn:
    """Raises the exception of an ``EngineError(kind, message)`` with the engine's message."""
    kind, message = err.args if len(err.args) == 2 else ("io", str(err))
    raise _KINDS.get(kind, RookeryError)(message) from None


__all__ = [
    "ConfigError",
    "DataError",
    "EngineIOError",
    "FileNotFound",
    "InvalidCollection",
    "InvalidParameterValue",
    "InvalidProject",
    "NoDataError",
    "RookeryError",
    "ServiceError",
]
