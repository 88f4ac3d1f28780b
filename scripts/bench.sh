#!/usr/bin/env bash
# Builds the release page and benchmarks it against the plain-JS reference (bench/reference/) in headless
# Chromium: bytes, time to ready, to local video, to a playing call, and 100 Call/Hang Up cycles; then a file
# sent over the data channel by the demo page and by plain JS (TRANSFER_MB, default 50), with memory figures.
# Installs what it needs first. Extra arguments go to bench/run.mjs (for example --runs 2 --cycles 10).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_tests
cd "$ROOT"
say "Building the release page"
build_page
say "Benchmarking (prints a table, then one JSON line)"
node bench/run.mjs --dist dist "$@"
say "File transfer over the data channel: the demo page against plain JS (${TRANSFER_MB:-50} MB)"
node bench/transfer.mjs --dist dist --mb "${TRANSFER_MB:-50}"
