"""Datasets backed by dask, as clisops's users pass them (``open_mfdataset``), given to
rookery.ops. Runs in the venv that has dask (the clisops suite's)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
pytest.importorskip("dask")

from rookery import ops  # noqa: E402


def test_dask_dataset_input_is_written_on_the_calling_thread(tmp_path):
    # A netCDF-backed dataset read through dask in several chunks.
    times = xr.date_range("2000-01-01", periods=24, freq="MS", use_cftime=True)
    data = np.arange(24 * 3 * 4, dtype="f4").reshape(24, 3, 4)
    src = xr.Dataset(
        {"tas": (("time", "lat", "lon"), data, {"units": "K"})},
        coords={"time": times, "lat": [-10.0, 0.0, 10.0], "lon": [0.0, 90.0, 180.0, 270.0]},
    )
    src.to_netcdf(tmp_path / "src.nc")
    threads: set[int] = set()

    def record(block):
        threads.add(threading.get_ident())
        return block

    with xr.open_dataset(tmp_path / "src.nc", chunks={"time": 6}) as ds:
        ds["tas"] = ds["tas"].copy(data=ds["tas"].data.map_blocks(record, dtype="f4"))
        out = ops.subset(ds, time="2000-07-01/2001-06-30", output_dir=tmp_path / "out", output_type="xarray")
    # Every chunk was read on this thread: with dask's worker threads, xarray's locks could
    # stay held for good (see rookery.ops._to_netcdf).
    assert threads == {threading.get_ident()}
    np.testing.assert_array_equal(out[0].tas.values, data[6:18])
