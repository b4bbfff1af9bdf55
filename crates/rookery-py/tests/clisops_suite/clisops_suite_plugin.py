"""pytest plugin (the conftest of the clisops suite run): clisops 0.18.1's own tests against
``rookery.ops``.

Run from the repository root (see run.sh beside this file)::

    pytest -p clisops_suite_plugin ../shared/reference/clisops-0.18.1-tests/tests/test_ops_subset.py ...

with this folder on ``PYTHONPATH``. Loaded before the suite's conftest, it

- points the suite's test data at ``../shared/data/mini-esgf`` (no network): the data fixture
  ``stratus`` becomes a local lookup, ``gather_testing_data`` does nothing, and a file of
  xclim's test data (fixture ``nimbus``, downloaded by clisops' CI) skips its test;
- registers a stand-in ``xesmf`` module when xESMF is not installed, so that the suite's regrid
  and average_shape tests (skipped by the suite without xESMF) run against rookery;
- replaces ``clisops.ops``' functions (``subset``, ``average_over_dims``, ``average_time``,
  ``average_shape``, ``regrid``) by ``rookery.ops``' before the test modules import them. The
  only adaptation: clisops' in-process ``CONFIG["clisops:write"]["file_size_limit"]``, which
  tests change, is passed as rookery's ``file_size_limit`` (rookery reads it from roocs.ini);
- marks the tests listed in ``EXPECTED`` (expected failures and skips, each with its reason);
- counts the tests that called rookery, and prints the tally.

A test that fails and is not listed fails the run (``xfail_strict``: a listed expected
failure that passes fails it too, so the list stays true).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
import types
import os
import tempfile
from pathlib import Path

import pytest

from suite_expected import EXPECTED

ROOT = Path(__file__).resolve().parents[4]
MINI_ESGF = Path(os.environ.get("ROOKERY_MINI_ESGF", ROOT.parent / "shared" / "data" / "mini-esgf")).resolve()

# The suite's data layout: <cache>/<version> is the mini-esgf tree (set before clisops' testing
# module reads these at import).
_CACHE = tempfile.mkdtemp(prefix="rookery-clisops-suite-")
os.symlink(MINI_ESGF, Path(_CACHE, "v1"))
os.environ["ESGF_TEST_DATA_CACHE_DIR"] = _CACHE
os.environ["ESGF_TEST_DATA_VERSION"] = "v1"
os.environ.setdefault("XCLIM_TEST_DATA_CACHE_DIR", _CACHE)
# rookery's configuration for named target grids (clisops finds them in its roocs_grids
# package) and a scratch weights cache.
os.environ["ROOKERY_GRIDS_DIR"] = str(MINI_ESGF.parent / "grids")
os.environ["XDG_DATA_HOME"] = str(Path(_CACHE, "xdg"))

# The suite skips its regrid and average_shape tests without xESMF (clisops' regridder, which
# rookery replaces): a stand-in module lets them run, against rookery.ops.
if importlib.util.find_spec("xesmf") is None:
    _xesmf = types.ModuleType("xesmf")
    _xesmf.__version__ = "0.8.10"
    sys.modules["xesmf"] = _xesmf

import clisops.ops  # noqa: E402
import clisops.ops.average  # noqa: E402
import clisops.ops.regrid  # noqa: E402
import clisops.ops.subset  # noqa: E402
import clisops.utils.testing as _testing  # noqa: E402
from clisops import CONFIG  # noqa: E402

import rookery.ops  # noqa: E402


class _LocalData:
    """The suite's ``stratus``/``nimbus`` (pooch registries) without a network: mini-esgf files
    by their path in the tree; xclim test data is not available."""

    def __init__(self, repo: str):
        self.repo = repo
        self.path = Path(_CACHE, "v1")

    def fetch(self, name: str) -> str:
        if self.repo.endswith("xclim-testdata"):
            pytest.skip(f"out of scope: needs xclim's test data ({name}), downloaded from the network")
        p = self.path / name
        if not p.exists():
            pytest.skip(f"out of scope: {name} is not in the mini-esgf data here")
        return p.as_posix()


def _stratus(repo, branch, cache_dir, data_updates=True):
    return _LocalData(repo)


_testing.stratus = _stratus
_testing.gather_testing_data = lambda **kw: None

_CALLS = {"n": 0}


def _patched(fn):
    """rookery's ``fn`` with clisops' in-process file size limit, counting calls."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        _CALLS["n"] += 1
        kwargs.setdefault("file_size_limit", CONFIG["clisops:write"]["file_size_limit"])
        return fn(*args, **kwargs)

    return call


# By module object (sys.modules): the attribute clisops.ops.subset is the function, which
# `from clisops.ops.subset import subset` does not read.
for _mod, _names in (
    (importlib.import_module("clisops.ops.subset"), ["subset"]),
    (importlib.import_module("clisops.ops.average"), ["average_over_dims", "average_time", "average_shape"]),
    (importlib.import_module("clisops.ops.regrid"), ["regrid"]),
):
    for _name in _names:
        _f = _patched(getattr(rookery.ops, _name))
        setattr(_mod, _name, _f)
        if hasattr(clisops.ops, _name):
            setattr(clisops.ops, _name, _f)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a slow test of the clisops suite")
    config._rookery_tally = {"through_rookery": 0, "without_rookery": 0}


def _missing_data() -> set[str]:
    """The keys of the suite's ``mini_esgf_data`` whose files are not in the mini-esgf here."""
    import glob

    paths = _testing.get_esgf_file_paths(Path(_CACHE, "v1")) | _testing.get_esgf_glob_paths(Path(_CACHE, "v1"))
    return {k for k, p in paths.items() if not glob.glob(str(p))}


def _data_keys(item) -> set[str]:
    """The ``mini_esgf_data[...]`` keys a test (or its parametrisation) names."""
    import inspect
    import re

    try:
        src = inspect.getsource(item.function)
    except (OSError, TypeError):
        return set()
    keys = set(re.findall(r"mini_esgf_data\[\s*[\"']([A-Z0-9_a-z]+)[\"']\s*\]", src))
    callspec = getattr(item, "callspec", None)
    if callspec is not None:
        keys |= {v for v in callspec.params.values() if isinstance(v, str)}
    return keys


def pytest_collection_modifyitems(config, items):
    missing = _missing_data()
    for item in items:
        key = f"{Path(item.fspath).name}::{item.name}"
        base = key.split("[")[0]
        entry = EXPECTED.get(key) or EXPECTED.get(base)
        absent = sorted(_data_keys(item) & missing)
        if entry is None and absent:
            entry = ("skip", f"out of scope: {', '.join(absent)} not in the mini-esgf data here")
        if entry is None:
            continue
        kind, reason = entry
        if kind == "skip":
            item.add_marker(pytest.mark.skip(reason=reason))
        else:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    before = _CALLS["n"]
    try:
        return (yield)
    finally:
        item._rookery_called = _CALLS["n"] > before


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call" and report.passed:
        tally = item.config._rookery_tally
        tally["through_rookery" if getattr(item, "_rookery_called", False) else "without_rookery"] += 1
    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    t = config._rookery_tally
    terminalreporter.write_line(
        f"clisops 0.18.1 suite on rookery.ops: {t['through_rookery']} passed calling rookery.ops, "
        f"{t['without_rookery']} passed without calling an operation (clisops/xarray helpers)"
    )


try:  # pytest-xdist provides worker_id; without it the suite runs as the "master" worker.
    import xdist  # noqa: F401
except ImportError:

    @pytest.fixture(scope="session")
    def worker_id():
        return "master"
