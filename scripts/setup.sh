# Installs what the build and the tests need, only where it is missing. Sourced by serve.sh and test.sh.
#
#   setup_build   the wasm32 target, trunk 0.21.x, wasm-bindgen-cli at the Cargo.lock version, binaryen's
#                 wasm-opt and esbuild from npm, crates fetched
#   build_page    the release page in dist/ (Trunk, the JS glue minified, precompressed)
#   setup_tests   setup_build, plus Debian's chromium and chromium-driver, coturn, redis-server, haproxy and
#                 iproute2, and the e2e node packages
#   setup_firefox Debian's firefox-esr and geckodriver (built with cargo install, pinned): the browser tests in
#                 Firefox and the Chromium-Firefox room call
#   target_dir    prints cargo's target directory (CARGO_TARGET_DIR, or what `cargo metadata` says), where the
#                 built binaries are
#
# Where something cannot be installed from here, it prints the exact command to run and stops.
#
# A sourced file runs in its caller's shell, so this one sets no shell options (no `set -e`): each script that
# sources it sets its own, and every step here checks its own failures.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

die() {
  printf '\n\033[1;31merror:\033[0m %s\n' "$1" >&2
  if [ $# -gt 1 ]; then
    printf '\nRun this, then try again:\n\n    %s\n\n' "$2" >&2
  fi
  exit 1
}

# Installs Debian packages with apt-get: `apt_install "<what needs them>" <package>...`. Without root or apt-get,
# prints the command to run and stops.
apt_install() {
  local why="$1"
  shift
  local cmd="apt-get update && apt-get install -y $*"
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    die "$why needs Debian's $*." "sudo sh -c '$cmd'"
  fi
  say "Installing Debian's $* ($why)"
  sh -c "DEBIAN_FRONTEND=noninteractive $cmd" >/dev/null || die "Could not install $*." "$cmd"
}

# Cargo's target directory: CARGO_TARGET_DIR when set, else the one `cargo metadata` names (a workspace or
# .cargo/config.toml may move it).
target_dir() {
  if [ -n "${CARGO_TARGET_DIR:-}" ]; then
    (cd "$ROOT" && mkdir -p "$CARGO_TARGET_DIR" && cd "$CARGO_TARGET_DIR" && pwd)
    return
  fi
  local dir
  dir="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
  [ -n "$dir" ] || die "cargo metadata names no target directory." "cargo metadata --format-version 1 --no-deps"
  printf '%s\n' "$dir"
}

# The wasm-bindgen version that Cargo.lock pins; the CLI and Trunk.toml must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

need_cargo() {
  export PATH="$HOME/.cargo/bin:$PATH"
  command -v cargo >/dev/null && command -v rustup >/dev/null ||
    die "Rust is not installed (cargo and rustup are needed)." \
      "curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh"
}

need_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown ||
      die "Could not add the wasm32 target." "rustup target add wasm32-unknown-unknown"
  fi
}

need_trunk() {
  if ! trunk --version 2>/dev/null | grep -q "^trunk 0\.21\."; then
    say "Installing trunk $TRUNK_VERSION (a one-time build of about 15 minutes; 0.22 needs a newer rustc)"
    cargo install --locked "trunk@$TRUNK_VERSION" ||
      die "Could not install trunk." "cargo install --locked trunk@$TRUNK_VERSION"
  fi
}

need_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  [ -n "$want" ] || die "Cargo.lock names no wasm-bindgen version." "cargo generate-lockfile"
  grep -q "^wasm_bindgen = \"$want\"" "$ROOT/Trunk.toml" ||
    die "Trunk.toml must pin [tools] wasm_bindgen = \"$want\", the version in Cargo.lock." \
      "sed -i 's/^wasm_bindgen = .*/wasm_bindgen = \"$want\"/' Trunk.toml"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
    say "Installing wasm-bindgen-cli $want (the version in Cargo.lock)"
    # Not --locked: the CLI's own lock file names a crate version the registry lacks.
    cargo install --force "wasm-bindgen-cli@$want" ||
      die "Could not install wasm-bindgen-cli $want." "cargo install --force wasm-bindgen-cli@$want"
  fi
}

need_wasm_opt() {
  # Trunk finds it on PATH and checks it is version_132 (Trunk.toml).
  export PATH="$ROOT/tools/node_modules/.bin:$PATH"
  if [ "$(wasm-opt --version 2>/dev/null)" != "wasm-opt version 132 (version_132)" ] ||
    [ ! -x "$ROOT/tools/node_modules/.bin/esbuild" ]; then
    command -v npm >/dev/null ||
      die "The release build needs Node.js and npm, for binaryen's wasm-opt." "sudo apt-get install -y nodejs npm"
    say "Installing binaryen 132 (wasm-opt) and esbuild from npm"
    (cd "$ROOT/tools" && npm ci --no-audit --no-fund --loglevel=error) ||
      die "Could not install binaryen." "cd tools && npm ci"
  fi
}

need_crates() {
  # Trunk runs offline (Trunk.toml), so every crate must be here first.
  (cd "$ROOT" && cargo fetch --quiet) || die "Could not fetch the crates." "cargo fetch"
}

need_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    return
  fi
  apt_install "The tests (Chromium and ChromeDriver at /usr/bin)" chromium chromium-driver
}

# The network fault and HTTPS tests need `ip` and `tc` (iproute2), and root for their namespaces.
need_iproute2() {
  if command -v ip >/dev/null && command -v tc >/dev/null; then
    return
  fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    return # the tests that need it fail, saying why (E2E_ALLOW_SKIP=1 lets them skip on a developer's machine)
  fi
  apt_install "The network fault and HTTPS tests (ip, tc)" iproute2
}

# Several servers: Debian's redis-server and haproxy, which the shared-room tests and the failover
# end-to-end test start on 127.0.0.1 (nothing starts them as services).
need_redis_haproxy() {
  if command -v redis-server >/dev/null && { command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ]; }; then
    return
  fi
  apt_install "The shared-room and failover tests" redis-server haproxy
  # The packages start them as services; the tests start their own, on ephemeral ports.
  if command -v systemctl >/dev/null; then
    systemctl disable --now redis-server haproxy >/dev/null 2>&1 || true
  fi
}

# Firefox: Debian has firefox-esr but no geckodriver package; geckodriver is built from crates.io (a few minutes,
# once), at a pinned version that drives Firefox ESR headless.
GECKODRIVER_VERSION="0.37.1"

need_firefox() {
  if [ ! -x /usr/bin/firefox-esr ]; then
    apt_install "The Firefox tests (Firefox ESR at /usr/bin/firefox-esr)" firefox-esr
  fi
  if [ "$(geckodriver --version 2>/dev/null | head -n 1)" != "geckodriver $GECKODRIVER_VERSION" ]; then
    say "Installing geckodriver $GECKODRIVER_VERSION (a one-time build of a few minutes)"
    cargo install --locked "geckodriver@$GECKODRIVER_VERSION" ||
      die "Could not install geckodriver." "cargo install --locked geckodriver@$GECKODRIVER_VERSION"
  fi
}

setup_firefox() {
  need_cargo
  need_firefox
}

# Debian's coturn (`turnserver`), for the relay tests (e2e/turn.mjs starts and stops it on 127.0.0.1).
need_coturn() {
  if [ -x /usr/sbin/turnserver ] || [ -x /usr/bin/turnserver ]; then
    return
  fi
  apt_install "The relay tests (turnserver)" coturn
}

need_node_packages() {
  command -v node >/dev/null && command -v npm >/dev/null ||
    die "The end-to-end test needs Node.js and npm." "sudo apt-get install -y nodejs npm"
  if [ ! -d "$ROOT/e2e/node_modules/playwright-core" ] || [ ! -d "$ROOT/e2e/node_modules/puppeteer-core" ]; then
    say "Installing the end-to-end test's packages (playwright-core, puppeteer-core; they download no browser)"
    (cd "$ROOT/e2e" && npm ci --no-audit --no-fund --loglevel=error) ||
      die "Could not install the e2e packages." "cd e2e && npm ci"
  fi
}

# The release page in dist/: Trunk's build, the JS glue minified by esbuild (integrity hashes updated), then a .gz
# and .br beside each file.
build_page() {
  (cd "$ROOT" && trunk build --release && node scripts/minify-glue.mjs dist && node scripts/precompress.mjs dist)
}

setup_build() {
  need_cargo
  need_wasm_target
  need_crates
  need_wasm_bindgen
  need_wasm_opt
  need_trunk
}

setup_tests() {
  setup_build
  need_chromium
  need_iproute2
  need_redis_haproxy
  need_coturn
  need_node_packages
}
