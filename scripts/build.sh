#!/usr/bin/env bash
# Builds everything a deployment needs: the app into dist/ (release, with .gz and .br beside each file) and
# the signaling server (release/server in cargo's target directory). Installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
setup_build
cd "$ROOT"
say "Building the app into dist/"
build_page
say "Building the server"
cargo build --release -p server
