"""clisops-compatible operations run by rookery's engine.

Each function has clisops 0.18's name, parameters and defaults, and returns what clisops returns:
a list of ``xarray.Dataset`` (``output_type="xarray"``) or of output paths (``"nc"``,
``"netcdf"``, ``"zarr"``). The work is done by the Rust conductor (``rookery._rookery``), the same
one the ``rookery`` command line and server call, with the GIL released; this module only turns
arguments into the engine's text parameters and outputs into the return value.

``ds`` may be a path, a glob, a directory, a dataset id (resolved with the roocs.ini that
``ROOCS_CONFIG`` names), a list of those (several files are read as one dataset, joined along
time, as clisops does) or an ``xarray.Dataset``, which is written to a temporary NetCDF file
first (its variables, attributes and encoding as xarray writes them) and removed afterwards:
pass the path instead of an opened Dataset to avoid that copy.

rookery additions (keyword-only, after clisops' parameters): ``file_size_limit`` (default: the
roocs.ini ``[clisops:write] file_size_limit``, 2GB), ``apply_fixes`` (dataset fixes for datasets
named by id; default True).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Callable, Union

from . import _params, _rookery
from .exceptions import InvalidParameterValue, raise_engine_error

__all__ = [
    "anomaly",
    "average_over_dims",
    "average_shape",
    "average_time",
    "climatology",
    "concat",
    "ensemble",
    "regrid",
    "stat_time",
    "subset",
    "weighted_average",
]

PathLike = Union[str, os.PathLike]
Result = list  # list[xarray.Dataset] or list[str]

_FORMATS = {"netcdf": "nc", "nc": "nc", "zarr": "zarr", "xarray": None}


class _Inputs:
    """The collection of ``ds`` as text, with the temporary files made for Datasets."""

    def __init__(self, ds: Any):
        self.tmp: tempfile.TemporaryDirectory | None = None
        self.items = self._items(ds)

    def _items(self, ds: Any) -> list[str]:
        if ds is None:
            raise InvalidParameterValue("ds must be a path, a list of paths, a dataset id or an xarray.Dataset, not None")
        if isinstance(ds, (str, os.PathLike)):
            return [os.path.expanduser(os.fspath(ds))]
        if _is_dataset(ds):
            return [self._write(ds)]
        if isinstance(ds, Sequence) and not isinstance(ds, bytes):
            items: list[str] = []
            for d in ds:
                items.extend(self._items(d))
            if not items:
                raise InvalidParameterValue("ds is an empty list")
            return items
        raise InvalidParameterValue(
            f"ds must be a path, a list of paths, a dataset id or an xarray.Dataset, not {type(ds).__name__}"
        )

    def _write(self, ds: Any) -> str:
        if self.tmp is None:
            self.tmp = tempfile.TemporaryDirectory(prefix="rookery-input-")
        path = Path(self.tmp.name, f"input_{len(os.listdir(self.tmp.name)):03d}.nc")
        _to_netcdf(_writable(ds), path)
        return path.as_posix()

    def close(self) -> None:
        if self.tmp is not None:
            self.tmp.cleanup()


def _writable(ds: Any) -> Any:
    """``ds`` (a shallow copy) with each variable's ``_FillValue`` set to its ``missing_value``
    where the two differ, as clisops writes such data (xarray refuses to encode the conflict)."""
    out = ds.copy(deep=False)
    for v in out.variables.values():
        fv = v.encoding.get("_FillValue", v.attrs.get("_FillValue"))
        mv = v.encoding.get("missing_value", v.attrs.get("missing_value"))
        if fv is not None and mv is not None and fv != mv:
            v.attrs.pop("_FillValue", None)
            v.attrs.pop("missing_value", None)
            v.encoding["_FillValue"] = mv
            v.encoding["missing_value"] = mv
    return out


def _to_netcdf(ds: Any, path: Path) -> None:
    """Writes ``ds`` with dask's tasks (if it is backed by dask) on the calling thread.

    With dask's default threads this could hang for good: xarray's ``CombinedLock`` keeps the
    locks it got when a non-blocking ``acquire`` finds a later one busy (pydata/xarray#10787),
    which happens when a file of an earlier dataset is garbage-collected while a dask thread
    reads or writes; the netCDF lock then stays held and the next write waits forever. On one
    thread that lock is either free or held by the thread itself, so nothing is kept.
    """
    try:
        import dask
    except ImportError:
        with _XARRAY_IO:
            ds.to_netcdf(path)
        return
    with _XARRAY_IO, dask.config.set(scheduler="synchronous"):
        ds.to_netcdf(path)


def _is_dataset(x: Any) -> bool:
    try:
        import xarray as xr
    except ImportError:  # pragma: no cover
        return False
    return isinstance(x, (xr.Dataset, xr.DataArray))


def _dataset(x: Any) -> Any:
    return x.to_dataset() if hasattr(x, "to_dataset") and not hasattr(x, "data_vars") else x


def _run(
    native: Callable[..., list[str]],
    ds: Any,
    output_dir: PathLike | None,
    output_type: str | None,
    split_method: str | None,
    file_namer: str | None,
    file_size_limit: str | None,
    apply_fixes: bool,
    **params: Any,
) -> Result:
    """Runs ``native`` on ``ds`` and returns paths or Datasets as ``output_type`` asks."""
    output_type = "netcdf" if output_type is None else output_type
    if output_type not in _FORMATS:
        raise InvalidParameterValue(f"Invalid output_type '{output_type}': must be one of {sorted(_FORMATS)}")
    if split_method not in (None, "time:auto"):
        raise InvalidParameterValue(f"Invalid split_method '{split_method}': only 'time:auto' is supported")
    fmt = _FORMATS[output_type]
    inputs = _Inputs(_dataset(ds) if _is_dataset(ds) else ds)
    out_tmp = None
    try:
        if fmt is None:
            out_tmp = tempfile.mkdtemp(prefix="rookery-output-")
            out_dir = out_tmp
        else:
            out_dir = os.fspath(output_dir) if output_dir else os.getcwd()
        output = _rookery.Output(
            out_dir,
            format=fmt or "nc",
            namer=file_namer or "standard",
            size_limit=file_size_limit,
            apply_fixes=apply_fixes,
            history=f"rookery {_rookery.__version__} (Python)",
        )
        try:
            paths = native(inputs.items, output, **params)
        except _rookery.EngineError as e:
            raise_engine_error(e)
        if fmt is None:
            return [_load(p) for p in paths]
        return paths
    finally:
        inputs.close()
        if out_tmp is not None:
            shutil.rmtree(out_tmp, ignore_errors=True)


# netCDF4-python (with the netCDF-C and HDF5 it bundles) is not safe to call from several
# threads at once, and xarray reads a file's variables and attributes outside its own lock:
# calls of rookery.ops from several threads crashed (SIGBUS) opening their outputs together.
# Every use of xarray's NetCDF I/O here takes this lock; rookery's own work runs outside it.
_XARRAY_IO = threading.Lock()


def _load(path: str) -> Any:
    """An output as an in-memory ``xarray.Dataset`` (its file is removed afterwards)."""
    import xarray as xr

    kw = {"decode_times": xr.coders.CFDatetimeCoder(use_cftime=True)} if hasattr(xr, "coders") else {"use_cftime": True}
    with _XARRAY_IO, xr.open_dataset(path, **kw) as d:
        return d.load()


def subset(
    ds: Any,
    *,
    time: Any = None,
    area: Any = None,
    level: Any = None,
    time_components: Any = None,
    output_dir: PathLike | None = None,
    output_type: str = "netcdf",
    split_method: str = "time:auto",
    file_namer: str = "standard",
    file_size_limit: str | None = None,
    apply_fixes: bool = True,
) -> Result:
    """Subset by time (interval or series), area (W,S,E,N), level and time components.

    Parameters as ``clisops.ops.subset``: ``time`` ``"a/b"``, ``"a,b,c"``, a tuple or a clisops
    ``time_interval``/``time_series``/``TimeParameter``; ``area`` ``"W,S,E,N"`` or a 4-tuple;
    ``level`` ``"a/b"``, ``(a,)``, ``(a, b)`` or a level interval/series; ``time_components``
    ``"year:2000,2001|month:jan"`` or a dict.
    """
    return _run(
        _rookery.subset,
        ds,
        output_dir,
        output_type,
        split_method,
        file_namer,
        file_size_limit,
        apply_fixes,
        time=_params.interval_or_series(time, "time"),
        area=_params.area(area),
        level=_params.interval_or_series(level, "level"),
        time_components=_params.time_components(time_components),
    )


def average_over_dims(
    ds: Any,
    dims: Sequence[str] | str | None = None,
    ignore_undetected_dims: bool = False,
    output_dir: PathLike | None = None,
    output_type: str = "netcdf",
    split_method: str = "time:auto",
    file_namer: str = "standard",
    *,
    file_size_limit: str | None = None,
    apply_fixes: bool = True,
) -> Result:
    """Unweighted mean over any of the dimensions time, level, latitude, longitude, realization."""
    return _run(
        _rookery.average_over_dims,
        ds,
        output_dir,
        output_type,
        split_method,
        file_namer,
        file_size_limit,
        apply_fixes,
        dims=_params.dims(dims),
        ignore_undetected_dims=bool(ignore_undetected_dims),
    )


def average_time(
    ds: Any,
    freq: str | None = None,
    output_dir: PathLike | None = None,
    output_type: str = "netcdf",
    split_method: str = "time:auto",
    file_namer: str = "standard",
    *,
    file_size_limit: str | None = None,
    apply_fixes: bool = True,
) -> Result:
    """Mean per day, month or year (``freq``)."""
    return _run(
        _rookery.average_time,
        ds,
        output_dir,
        output_type,
        split_method,
        file_namer,
        file_size_limit,
        apply_fixes,
        freq=freq,
    )


def average_shape(
    ds: Any,
    shape: Any,
    variable: str | Sequence[str] | None = None,
    output_dir: PathLike | None = None,
    output_type: str = "netcdf",
    split_method: str = "time:auto",
    file_namer: str = "standard",
    *,
    file_size_limit: str | None = None,
    apply_fixes: bool = True,
) -> Result:
    """Area-weighted mean over each polygon of ``shape`` (a GeoJSON, Shapefile or GML path, or a
    GeoDataFrame, written to a temporary GeoJSON file)."""
    tmp = None
    try:
        if shape is not None and hasattr(shape, "to_file"):
            tmp = tempfile.TemporaryDirectory(prefix="rookery-shape-")
            path = Path(tmp.name, "shape.geojson")
            shape.to_file(path, driver="GeoJSON")
            shape = path
        if shape is None:
            shape_text = None
        elif isinstance(shape, (str, os.PathLike)):
            shape_text = os.fspath(shape)
        else:
            raise InvalidParameterValue(f"shape must be a path or a GeoDataFrame, not {type(shape).__name__}")
        variables = [variable] if isinstance(variable, str) else (list(variable) if variable is not None else None)
        return _run(
            _rookery.average_shape,
            ds,
            output_dir,
            output_type,
            split_method,
            file_namer,
            file_size_limit,
            apply_fixes,
            shape=shape_text,
            variables=variables,
        )
    finally:
        if tmp is not None:
            tmp.cleanup()


def regrid(
    ds: Any,
    *,
    method: str | None = "nearest_s2d",
    adaptive_masking_threshold: float | None = 0.5,
    grid: Any = "adaptive",
    mask: str | None = None,
    output_dir: PathLike | None = None,
    output_type: str | None = "netcdf",
    split_method: str | None = "time:auto",
    file_namer: str | None = "standard",
    keep_attrs: bool | str | None = True,
    file_size_limit: str | None = None,
    apply_fixes: bool = True,
    weights_dir: PathLike | None = None,
) -> Result:
    """Regrid to a roocs-grids id (``"1deg"``, ``"2pt5deg"``, ...), a resolution in degrees, an
    adaptive grid (``"auto"``/``"adaptive"``) or the grid of an ``xarray.Dataset``/``DataArray``
    (written to a temporary NetCDF file) with ``nearest_s2d``, ``bilinear`` or ``conservative``."""
    if not (_is_dataset(ds) or isinstance(ds, (str, os.PathLike, list, tuple))):
        raise InvalidParameterValue(
            "An xarray.Dataset or xarray.DataArray has to be provided as input for the source grid."
        )
    if grid is None:
        raise InvalidParameterValue("xarray.Dataset, grid_id or grid_instructor have to be specified as input.")
    if keep_attrs is not True:
        raise InvalidParameterValue(f"keep_attrs={keep_attrs!r} is not supported by rookery (only True)")
    tmp = None
    try:
        if _is_dataset(grid):
            tmp = tempfile.TemporaryDirectory(prefix="rookery-grid-")
            path = Path(tmp.name, "grid.nc")
            _to_netcdf(_dataset(grid), path)
            grid_text = path.as_posix()
        elif isinstance(grid, (int, float)) and not isinstance(grid, bool):
            grid_text = str(grid)
        elif isinstance(grid, (str, os.PathLike)):
            grid_text = os.fspath(grid)
        elif isinstance(grid, tuple) and all(isinstance(g, (int, float)) for g in grid):
            grid_text = ",".join(str(g) for g in grid)
        else:
            raise InvalidParameterValue(f"Invalid grid: {grid!r}")
        return _run(
            _rookery.regrid,
            ds,
            output_dir,
            output_type,
            split_method,
            file_namer,
            file_size_limit,
            apply_fixes,
            method=method or "nearest_s2d",
            grid=grid_text,
            mask=mask,
            adaptive_masking_threshold=-1.0 if adaptive_masking_threshold is None else float(adaptive_masking_threshold),
            weights_dir=None if weights_dir is None else os.fspath(weights_dir),
        )
    finally:
        if tmp is not None:
            tmp.cleanup()


def weighted_average(
    ds: Any,
    weights: str = "area",
    area_file: PathLike | None = None,
    output_dir: PathLike | None = None,
    output_type: str = "netcdf",
    split_method: str = "time:auto",
    file_namer: str = "standard",
    *,
    file_size_limit: str | None = None,
    apply_fixes: bool = True,
) -> Result:
    """rook's ``weighted_average``: horizontal mean weighted by cell areas (``"area"``, from bounds
    or ``area_file``) or ``"cos-lat"``."""
    return _run(
        _rookery.weighted_average,
        ds,
        output_dir,
        output_type,
        split_method,
        file_namer,
        file_size_limit,
        apply_fixes,
        weights=weights,
        area_file=None if area_file is None else os.fspath(area_file),
    )


def concat(
    ds: Any,
    dims: str = "realization",
    apply_average: bool = False,
    time: Any = None,
    area: Any = None,
    time_components: Any = None,
    output_dir: PathLike | None = None,
    output_type: str = "netcdf",
    split_method: str = "time:auto",
    file_namer: str = "standard",
    *,
    file_size_limit: str | None = None,
    apply_fixes: bool = True,
) -> Result:
    """rook's ``concat``: the datasets of ``ds`` (each item one member) stacked along a new
    ``realization`` dimension, optionally averaged over it."""
    if dims != "realization":
        raise InvalidParameterValue(f"concat dims must be 'realization', not '{dims}'")
    return _run(
        _rookery.concat,
        ds,
        output_dir,
        output_type,
        split_method,
        file_namer,
        file_size_limit,
        apply_fixes,
        apply_average=bool(apply_average),
        time=_params.interval_or_series(time, "time"),
        area=_params.area(area),
        time_components=_params.time_components(time_components),
    )


def _years(x: Any) -> str | None:
    if x is None or isinstance(x, str):
        return x
    a, b = x
    return f"{a}/{b}"


def climatology(
    ds: Any,
    freq: str = "month",
    years: str | tuple[int, int] | None = None,
    output_dir: PathLike | None = None,
    output_type: str = "netcdf",
    split_method: str = "time:auto",
    file_namer: str = "standard",
    *,
    file_size_limit: str | None = None,
    apply_fixes: bool = True,
) -> Result:
    """Mean per calendar month, season or day of year over ``years`` (``"1981/2010"`` or a pair)."""
    return _run(
        _rookery.climatology,
        ds,
        output_dir,
        output_type,
        split_method,
        file_namer,
        file_size_limit,
        apply_fixes,
        freq=freq,
        years=_years(years),
    )


def anomaly(
    ds: Any,
    reference: str | tuple[int, int],
    freq: str = "month",
    relative: bool = False,
    output_dir: PathLike | None = None,
    output_type: str = "netcdf",
    split_method: str = "time:auto",
    file_namer: str = "standard",
    *,
    file_size_limit: str | None = None,
    apply_fixes: bool = True,
) -> Result:
    """Each step minus (or, ``relative``, divided by) the climatology of the ``reference`` years."""
    return _run(
        _rookery.anomaly,
        ds,
        output_dir,
        output_type,
        split_method,
        file_namer,
        file_size_limit,
        apply_fixes,
        reference=_years(reference),
        freq=freq,
        relative=bool(relative),
    )


def stat_time(
    ds: Any,
    stat: str,
    freq: str = "all",
    output_dir: PathLike | None = None,
    output_type: str = "netcdf",
    split_method: str = "time:auto",
    file_namer: str = "standard",
    *,
    file_size_limit: str | None = None,
    apply_fixes: bool = True,
) -> Result:
    """A statistic over time (min, max, sum, mean, std, var, median, pNN) per ``freq`` group
    (all, year, month, season)."""
    return _run(
        _rookery.stat_time,
        ds,
        output_dir,
        output_type,
        split_method,
        file_namer,
        file_size_limit,
        apply_fixes,
        stat=stat,
        freq=freq,
    )


def ensemble(
    ds: Any,
    stat: str | Sequence[str] = "mean,std,min,max",
    time: Any = None,
    area: Any = None,
    time_components: Any = None,
    grid: str | None = None,
    method: str = "nearest_s2d",
    output_dir: PathLike | None = None,
    output_type: str = "netcdf",
    split_method: str = "time:auto",
    file_namer: str = "standard",
    *,
    file_size_limit: str | None = None,
    apply_fixes: bool = True,
) -> Result:
    """Statistics across ensemble members (each item of ``ds`` one member) at each time step and
    cell; with ``grid``, members are regridded to it first."""
    return _run(
        _rookery.ensemble,
        ds,
        output_dir,
        output_type,
        split_method,
        file_namer,
        file_size_limit,
        apply_fixes,
        stat=stat if isinstance(stat, str) else ",".join(stat),
        time=_params.interval_or_series(time, "time"),
        area=_params.area(area),
        time_components=_params.time_components(time_components),
        grid=grid,
        method=method,
    )
