#!/usr/bin/env bash
# The test command: installs the system packages the tests need, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Python WPS clients (rooki, OWSLib) for the service tests.
bash scripts/setup-pyclients.sh
cargo test --workspace --locked
