"""clisops-style parameters as the engine's text: ``"a/b"`` intervals, ``"a,b,c"`` series,
``"W,S,E,N"`` areas, ``"year:2000,2001|month:1,2"`` time components.

Only the *form* is converted here; the engine parses and validates the values (so its messages
are the ones users see). Accepted: strings, tuples/lists, and clisops' parameter objects
(``time_interval(...)``, ``time_series(...)``, ``TimeParameter``, ``AreaParameter``, ...), which
all carry their parsed form in ``.value`` and, for intervals/series, their kind in ``.type`` or
their class name.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

from .exceptions import InvalidParameterValue


def _scalar(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, bytes):
        x = x.decode()
    if isinstance(x, (_dt.datetime, _dt.date)) or hasattr(x, "isoformat"):
        return x.isoformat()
    return str(x).strip()


def _kind(x: Any) -> str | None:
    """``interval``/``series`` for clisops' Interval/Series/parameter objects, else None."""
    t = getattr(x, "type", None)
    if t in ("interval", "series", "none"):
        return t
    name = type(x).__name__.lower()
    if name == "interval":
        return "interval"
    if name == "series":
        return "series"
    return None


def _interval(a: Any, b: Any) -> str:
    return f"{_scalar(a)}/{_scalar(b)}"


def _series(values: Sequence[Any]) -> str:
    return ",".join(_scalar(v) for v in values)


def interval_or_series(x: Any, name: str, tuple_is_interval: bool = True) -> str | None:
    """A time or level request: ``"a/b"`` (interval) or ``"a,b,c"`` (series)."""
    if x is None:
        return None
    if isinstance(x, str):
        return x
    kind = _kind(x)
    if kind is not None or (hasattr(x, "value") and not isinstance(x, (Sequence, Mapping))):
        value = x.value
        if kind == "none" or value is None:
            return None
        if kind == "interval" or (kind is None and isinstance(value, tuple)):
            a, b = (tuple(value) + (None, None))[:2]
            return _interval(a, b)
        return _series(value)
    if isinstance(x, tuple) and tuple_is_interval:
        if len(x) == 1:
            return _interval(x[0], None)
        if len(x) == 2:
            return _interval(x[0], x[1])
        raise InvalidParameterValue(f"{name} as a tuple must have 1 or 2 items, not {len(x)}")
    if isinstance(x, Sequence):
        return _series(x)
    return _scalar(x)


def area(x: Any) -> str | None:
    """``"W,S,E,N"``."""
    if x is None:
        return None
    if isinstance(x, str):
        return x
    value = getattr(x, "value", x)
    if value is None:
        return None
    if isinstance(value, Sequence):
        return ",".join(_scalar(v) for v in value)
    raise InvalidParameterValue(f"AreaParameter: input type {type(x)} not allowed")


def time_components(x: Any) -> str | None:
    """``"year:2000,2001|month:1,2"``."""
    if x is None:
        return None
    if isinstance(x, str):
        return x
    value = getattr(x, "value", x)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidParameterValue(f"TimeComponentsParameter: input type {type(x)} not allowed")
    parts = []
    for key, vals in value.items():
        if isinstance(vals, (str, int)):
            vals = [vals]
        parts.append(f"{key}:{','.join(_scalar(v) for v in vals)}")
    return "|".join(parts)


def dims(x: Any) -> str | None:
    """Comma-separated dimension names (clisops ``DimensionParameter``)."""
    if x is None:
        return None
    if isinstance(x, str):
        return x
    value = getattr(x, "value", x)
    if value is None:
        return None
    if isinstance(value, Sequence):
        return ",".join(_scalar(v) for v in value)
    raise InvalidParameterValue(f"Input type of {type(x)} not allowed. Must be one of: [str, list, tuple]")
