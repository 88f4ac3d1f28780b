#!/usr/bin/env bash
# Runs every test: native tests (protocol properties, server integration, app logic), the wasm-bindgen-test
# suites in headless Chromium and in headless Firefox ESR with fake cameras, and the end-to-end tests of the real
# built page and server with separate browsers. Installs what it needs first.
#
#   scripts/test.sh                  everything
#   scripts/test.sh --firefox-only   only the Firefox parts: the browser tests in Firefox, then the room call
#                                    between Chromium and Firefox
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

# The wasm-bindgen-test suites in headless Firefox ESR: geckodriver, with Firefox's prefs (fake camera and
# microphone, autoplay, loopback candidates) in webdriver-firefox.json.
firefox_browser_tests() {
  (
    # wasm-bindgen-test-runner takes the first driver named in the environment; only geckodriver here.
    unset CHROMEDRIVER
    GECKODRIVER="$(command -v geckodriver)"
    export GECKODRIVER
    export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/webdriver-firefox.json"
    export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
    cd "$ROOT" && cargo test --target wasm32-unknown-unknown
  )
}

# A room call between Chromium and Firefox through the real server (needs dist/ and the release server).
cross_browser_call() {
  (cd "$ROOT" && node e2e/cross-browser.mjs dist "$(target_dir)/release/server")
}

if [ "${1:-}" = "--firefox-only" ]; then
  setup_tests
  setup_firefox
  cd "$ROOT"
  say "1/3 Browser tests in headless Firefox ESR (wasm-bindgen-test, fake camera)"
  firefox_browser_tests
  say "2/3 Release build: the page (dist/) and the server"
  build_page
  cargo build --release -p server
  say "3/3 End to end: a room call between Chromium and Firefox"
  cross_browser_call
  say "All Firefox tests passed"
  exit 0
fi

setup_tests
setup_firefox
cd "$ROOT"

say "1/4 Native tests: protocol, server, app logic"
cargo test --workspace

say "2/4 Browser tests (wasm-bindgen-test in headless Chromium, fake camera)"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}" \
  cargo test --target wasm32-unknown-unknown

say "2b/4 The same browser tests in headless Firefox ESR (fake camera)"
firefox_browser_tests

say "3/4 Release build: the page (dist/) and the server"
build_page
node scripts/size.mjs dist
cargo build --release -p server
SERVER="$(target_dir)/release/server"

say "4/4 End to end: the loopback demo, then a room with separate browsers through the server"
node e2e/run.mjs dist
node e2e/room.mjs dist "$SERVER"
# TURN through a real coturn (relay-only call, refused credentials); HTTPS on a non-loopback address.
node e2e/turn.mjs dist "$SERVER"
node e2e/https.mjs dist "$SERVER"
# A network broken on purpose (namespaces; needs root: without it the test fails, saying why): cuts, a server
# kill, 300 kbit/s.
node e2e/netfaults.mjs dist "$SERVER"
# Several servers: Redis, two instances and HAProxy, an instance killed; and a full server that lets
# a waiting page in once there is room.
node e2e/failover.mjs dist "$SERVER"
node e2e/full.mjs dist "$SERVER"

say "4b/4 End to end: a room call between Chromium and Firefox"
cross_browser_call

say "All tests passed"
