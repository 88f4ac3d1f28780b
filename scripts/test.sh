#!/usr/bin/env bash
# Runs every test: native unit tests, the wasm-bindgen-test suite in headless Chromium with the fake camera,
# and the end-to-end test of the real built page. Installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_tests
cd "$ROOT"

say "1/3 Native unit tests"
cargo test --workspace

say "2/3 Browser tests (wasm-bindgen-test in headless Chromium, fake camera)"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}" \
  cargo test --target wasm32-unknown-unknown

say "3/3 End to end: the built page, served on 127.0.0.1, clicked through in headless Chromium"
trunk build --release
node e2e/run.mjs dist

say "All tests passed"
