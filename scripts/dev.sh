#!/usr/bin/env bash
# Development: the signaling server on 127.0.0.1:8081, and `trunk serve` on http://127.0.0.1:8080, which
# rebuilds the page on every change and forwards /ws to the server (Trunk.toml [[proxy]]).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_build
cd "$ROOT"
cargo build -p server
"$(target_dir)/debug/server" --listen 127.0.0.1:8081 --dist dist --allow-origin http://127.0.0.1:8080 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
say "Serving on http://127.0.0.1:8080 (Ctrl-C stops)"
trunk serve "$@"
