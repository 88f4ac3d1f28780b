#!/usr/bin/env bash
# Builds the app (release) and serves it on http://127.0.0.1:8080, rebuilding on change.
# Installs what it needs first. Extra arguments go to `trunk serve` (for example --port 9000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_build
cd "$ROOT"
say "Serving on http://127.0.0.1:8080 (Ctrl-C stops)"
exec trunk serve --release "$@"
