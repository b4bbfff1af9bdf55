#!/usr/bin/env bash
# Runs clisops 0.18.1's own tests (the pinned copy in ../shared/reference) against rookery.ops
# in the venv scripts/setup-pypkg.sh made (.venv-clisops); extra arguments go to pytest (e.g. -k, -x).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
suite="${ROOKERY_CLISOPS_TESTS:-$root/../shared/reference/clisops-0.18.1-tests}/tests"
py="${ROOKERY_PY_VENV:-$root/.venv-clisops}/bin/python"
# A scratch working directory: outputs of calls without output_dir land in the current one.
work="$(mktemp -d "${TMPDIR:-/tmp}/rookery-clisops-suite.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
# The suite's own files that call clisops.ops (the others test clisops' internals).
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" "$py" -m pytest -p clisops_suite_plugin \
  -p no:cacheprovider -o addopts= -o xfail_strict=true -q -rfEsx \
  --basetemp="$work/basetemp" \
  "$suite/test_ops_subset.py" "$suite/test_ops_average.py" "$suite/test_ops_regrid.py" \
  "$suite/test_ops_subset_cordex.py" "$suite/test_file_namers.py" "$@"
