#!/usr/bin/env bash
# The test command: installs the system packages the tests need, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Hygiene first: unformatted code or a clippy warning fails the run. (rustfmt and clippy come
# with rustup's default profile; a toolchain without them gets them added, and only if that is
# impossible are the checks skipped, loudly.)
for tool in rustfmt clippy; do
  cargo "${tool/rustfmt/fmt}" --version >/dev/null 2>&1 || rustup component add "$tool" >/dev/null 2>&1 || true
done
if cargo fmt --version >/dev/null 2>&1; then
  cargo fmt --all --check
else
  echo "test.sh: WARNING: rustfmt is not available; the formatting check is skipped" >&2
fi
if cargo clippy --version >/dev/null 2>&1; then
  cargo clippy --workspace --all-targets --locked -- -D warnings
else
  echo "test.sh: WARNING: clippy is not available; the lint check is skipped" >&2
fi
# Layering: no import circle inside any crate, and the service's floors respected.
python3 scripts/floors.py
# Python WPS clients (rooki, OWSLib) for the service tests.
bash scripts/setup-pyclients.sh
# Python kerchunk/fsspec/xarray/zarr for the Zarr and Kerchunk interoperability tests (once,
# before the tests run in parallel).
bash scripts/setup-pyzarr.sh
# WIS 2.0: pywcmp, pywis-pubsub, paho-mqtt (into .venv-zarr) and Debian's mosquitto.
bash scripts/setup-wis2.sh
# Headless Chromium + selenium for the browser UI test (tests/ui.rs).
bash scripts/setup-ui.sh
# Python packages for the EDR (jsonschema, shapely, pandas) and OPeNDAP (pydap; netcdf-bin) checks.
bash scripts/setup-edr.sh
bash scripts/setup-stac.sh
bash scripts/setup-dap.sh
# A real OpenID provider (npm oidc-provider, node) for the OIDC token tests.
bash scripts/oidc-setup.sh
# A throwaway PostgreSQL for the PostgreSQL job store tests (crates/rookery-service/tests/postgres.rs),
# stopped on exit. Without it those tests fail when CI is set, and are skipped otherwise.
trap 'bash scripts/pg-stop.sh; bash scripts/slurm-stop.sh; bash scripts/mqtt-stop.sh' EXIT
if pg=$(bash scripts/pg-start.sh); then
    export "${pg:?}"
else
    echo "test.sh: WARNING: PostgreSQL could not be started; the PostgreSQL job store tests will fail in CI and be skipped elsewhere" >&2
fi
# A Mosquitto broker (loopback, username/password) for the WIS2 tests (crates/rookery/tests/wis2_mqtt.rs).
if mq=$(bash scripts/mqtt-start.sh); then
    export "${mq:?}"
else
    echo "test.sh: WARNING: mosquitto could not be started; the WIS2 MQTT test starts its own or is skipped" >&2
fi
# A one-node Slurm cluster (slurm-wlm, munge) for the Slurm executor tests (crates/rookery/tests/slurm.rs).
if sl=$(bash scripts/slurm-start.sh); then
    export "${sl:?}"
else
    echo "test.sh: WARNING: Slurm could not be started; the Slurm executor tests are skipped" >&2
fi
# Build first, then run under a watchdog: a test that hangs fails the run after
# ROOKERY_TEST_BUDGET seconds (45 min by default; the suite takes about 10 on 2 cores) with the
# harness's "has been running for over 60 seconds" lines naming it, instead of eating CI's limit.
SECONDS=0
cargo test --workspace --locked --no-run
echo "test.sh: build took ${SECONDS} s" >&2
# The Python package (crates/rookery-py) built from the same target dir and installed into its
# test venvs; its tests (crates/rookery-py/tests/python.rs) run with the others.
SECONDS=0
bash scripts/setup-pypkg.sh
echo "test.sh: Python package setup took ${SECONDS} s" >&2
SECONDS=0
rc=0
# --no-fail-fast: a failing test binary does not stop the others, so one run shows every failure.
timeout -k 30 "${ROOKERY_TEST_BUDGET:-2700}" cargo test --workspace --locked --no-fail-fast || rc=$?
echo "test.sh: tests took ${SECONDS} s" >&2
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
  echo "test.sh: the tests did not finish within ${ROOKERY_TEST_BUDGET:-2700} s (a hung test?)" >&2
fi
exit "$rc"
