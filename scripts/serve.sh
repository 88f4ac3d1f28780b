#!/usr/bin/env bash
# Builds the app and the server, then serves both from one process on http://127.0.0.1:8080: the page, the
# rooms at /room/<id>, and the signaling WebSocket at /ws. Installs what it needs first.
# Extra arguments go to the server, for example `scripts/serve.sh --listen 0.0.0.0:8080` to let other
# computers on your network in (see the README), or `--ice-server stun:stun.example.org:3478`.
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/build.sh"
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
say "Serving (Ctrl-C stops)"
exec "$(target_dir)/release/server" --listen 127.0.0.1:8080 --dist dist "$@"
