#!/usr/bin/env bash
# The architecture test: fails, naming the file and line, when a lower layer imports a higher one. The rules are
# at the top of scripts/check-layers.pl, which does the work (Perl comes with every Debian system, and CI runs
# this before it installs anything).
set -euo pipefail
exec perl "$(dirname "${BASH_SOURCE[0]}")/check-layers.pl" "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
