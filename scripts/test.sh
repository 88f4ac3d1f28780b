#!/usr/bin/env bash
# Runs every test: native tests (protocol properties, server integration, app logic), the wasm-bindgen-test
# suites in headless Chromium with the fake camera, and the end-to-end tests of the real built page and
# server with separate browsers. Installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_tests
cd "$ROOT"

say "1/4 Native tests: protocol, server, app logic"
cargo test --workspace

say "2/4 Browser tests (wasm-bindgen-test in headless Chromium, fake camera)"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}" \
  cargo test --target wasm32-unknown-unknown

say "3/4 Release build: the page (dist/) and the server"
build_page
node scripts/size.mjs dist
cargo build --release -p server

say "4/4 End to end: the loopback demo, then a room with separate browsers through the server"
node e2e/run.mjs dist
node e2e/room.mjs dist target/release/server
node e2e/turn.mjs dist target/release/server
node e2e/https.mjs dist target/release/server

say "All tests passed"
