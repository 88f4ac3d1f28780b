#!/usr/bin/env bash
# The signaling benchmark: this server (one instance, and two instances sharing rooms through Redis),
# peerjs-server and matchbox_server, measured side by side in one run by bench/signaling (signaling-bench).
#
#   scripts/bench-signaling.sh            the full run (about 4 minutes); prints one table
#   scripts/bench-signaling.sh --smoke    a short run for CI: every row must produce figures; timings never fail it
#   scripts/bench-signaling.sh --install  also installs the other servers when missing (peer@1.0.2 with npm,
#                                         matchbox_server@0.15.0 with cargo, into bench-tools/ in cargo's target directory)
#
# Each server is pinned to CPU $SERVER_CPU (default 0) and the load generator to CPU $LOAD_CPU (default 1), with
# taskset. All servers run from the start; the relay is measured in ROUNDS rounds (3; 1 for --smoke) that take
# the servers in turn, and the table gives medians. ROWS (default "ours ours-2-redis peerjs matchbox") and MODES
# (default "idle rate closed flood") pick what to run. A server that is not installed gets a line that says so. Redis (for the two-instance row) runs on the
# server's CPU too, and its CPU time counts as the server's.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
TARGET="$(target_dir)"

SMOKE=0
INSTALL=0
for arg in "$@"; do
  case "$arg" in
    --smoke) SMOKE=1 ;;
    --install) INSTALL=1 ;;
    *) echo "usage: $0 [--smoke] [--install]" >&2; exit 2 ;;
  esac
done

SERVER_CPU=${SERVER_CPU:-0}
# One CPU only: server and load share it (the figures then say little, but the smoke run still works).
LOAD_CPU=${LOAD_CPU:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
TOOLS=${BENCH_TOOLS:-$TARGET/bench-tools}
if [ "$SMOKE" = 1 ]; then
  IDLE=200 PAIRS=20 RATE=400 SECONDS_=1 CLOSED_PAIRS=20 FLOOD_PAIRS=4 FLOOD_SECONDS=1 ROUNDS=${ROUNDS:-1}
else
  IDLE=10000 PAIRS=500 RATE=5000 SECONDS_=10 CLOSED_PAIRS=500 FLOOD_PAIRS=50 FLOOD_SECONDS=10 ROUNDS=${ROUNDS:-3}
fi
SIZE=1000
IN_FLIGHT=16
ROWS=${ROWS:-ours ours-2-redis peerjs matchbox}
MODES=${MODES:-idle rate closed flood}
want() { [[ " $ROWS " == *" $1 "* ]]; }
mode() { [[ " $MODES " == *" $1 "* ]]; }

cargo build --release --quiet -p server -p signaling-bench
BENCH=$TARGET/release/signaling-bench
SERVER=$TARGET/release/server

# --- the other servers ----------------------------------------------------------------------------------
PEERJS=${PEERJS:-$TOOLS/peerjs/node_modules/.bin/peerjs}
MATCHBOX=${MATCHBOX_SERVER:-$TOOLS/bin/matchbox_server}
if [ ! -x "$MATCHBOX" ] && command -v matchbox_server > /dev/null; then MATCHBOX=$(command -v matchbox_server); fi
if [ ! -x "$PEERJS" ] && command -v npm > /dev/null && { [ "$INSTALL" = 1 ] || [ "$SMOKE" = 1 ]; }; then
  # Small and quick: the smoke run installs it too.
  mkdir -p "$TOOLS/peerjs"
  (cd "$TOOLS/peerjs" && npm install --silent --no-audit --no-fund --prefix . peer@1.0.2 > /dev/null) ||
    echo "could not install peer@1.0.2 with npm: the peerjs row is left out" >&2
fi
if [ ! -x "$MATCHBOX" ] && [ "$INSTALL" = 1 ]; then
  cargo install --locked --quiet matchbox_server@0.15.0 --root "$TOOLS" ||
    echo "could not install matchbox_server 0.15.0: its row is left out" >&2
fi

# --- processes ----------------------------------------------------------------------------------------
PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2> /dev/null || true; done
  PIDS=()
}
LOGS=$(mktemp -d)
trap 'stop_all; rm -rf "$LOGS"' EXIT

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})' 2> /dev/null ||
    python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# Waits until 127.0.0.1:$1 accepts connections (at most 20 s).
wait_port() {
  for _ in $(seq 200); do
    if (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1 after 20 s" >&2
  return 1
}

# Starts "$@" pinned to the server CPU; its pid is in $STARTED.
start() {
  local log=$1
  shift
  taskset -c "$SERVER_CPU" "$@" > "$LOGS/$log" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
}

OURS_FLAGS=(--dist dist --max-connections-per-ip 0 --rate-limit 1000000 --rate-burst 1000000
  --max-connections 20000 --max-rooms 20000)
start_ours() { # port [extra flags...]
  local port=$1
  shift
  start "ours-$port.log" "$SERVER" --listen "127.0.0.1:$port" "${OURS_FLAGS[@]}" "$@"
  wait_port "$port"
  # Ready: with --redis, once Redis answered (/readyz says 200).
  for _ in $(seq 100); do
    if exec 3<> "/dev/tcp/127.0.0.1/$port" 2> /dev/null; then
      printf 'GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
      local status
      read -r _ status _ <&3 || true
      exec 3<&-
      if [ "$status" = 200 ]; then return 0; fi
    fi
    sleep 0.1
  done
  echo "the server on port $port is not ready after 10 s: $(cat "$LOGS/ours-$port.log")" >&2
  return 1
}

RESULTS="$LOGS/results"
: > "$RESULTS"
# bench ROW KIND "URL..." "PID..." MODE ARGS...: one measurement; its figures go to $RESULTS as "@ ROW k=v ...".
bench() {
  local row=$1 kind=$2 urls=$3 pids=$4 mode=$5
  shift 5
  local args=(--kind "$kind" --label "$row/$mode")
  for url in $urls; do args+=(--url "$url"); done
  for pid in $pids; do args+=(--pid "$pid"); done
  local out
  if out=$(taskset -c "$LOAD_CPU" "$BENCH" "${args[@]}" "$mode" "$@" 2>&1); then
    printf '%s\n' "$out" | grep -v '^@ ' | tee -a "$LOGS/lines" >&2
    printf '%s\n' "$out" | grep '^@ ' >> "$RESULTS"
  else
    echo "$out" >&2
    echo "! $row/$mode failed" >> "$RESULTS"
  fi
}

# The servers under test, started once and measured in turns: row -> protocol, addresses, processes.
declare -A ROW_KIND ROW_URLS ROW_PIDS
ORDER=()
register() { # row kind "urls" "pids"
  ORDER+=("$1")
  ROW_KIND[$1]=$2
  ROW_URLS[$1]=$3
  ROW_PIDS[$1]=$4
}

MISSING=()
echo "signaling benchmark, $(date -u +%Y-%m-%d), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); server on CPU $SERVER_CPU, load on CPU $LOAD_CPU" >&2

# This server, one instance.
if want ours; then
  port=$(free_port)
  start_ours "$port"
  register ours ours "ws://127.0.0.1:$port" "$STARTED"
fi

# This server, two instances on Redis; every pair is split across them.
if ! want ours-2-redis; then
  :
elif command -v redis-server > /dev/null; then
  rport=$(free_port)
  start redis.log redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no
  redis_pid=$STARTED
  wait_port "$rport"
  p1=$(free_port)
  start_ours "$p1" --redis "redis://127.0.0.1:$rport"
  s1=$STARTED
  p2=$(free_port)
  start_ours "$p2" --redis "redis://127.0.0.1:$rport"
  s2=$STARTED
  register ours-2-redis ours "ws://127.0.0.1:$p1 ws://127.0.0.1:$p2" "$s1 $s2 $redis_pid"
else
  MISSING+=("ours-2-redis: redis-server is not installed")
fi

if ! want peerjs; then
  :
elif [ -x "$PEERJS" ] && command -v node > /dev/null; then
  port=$(free_port)
  start peerjs.log node "$(dirname "$(readlink -f "$PEERJS")")/peerjs.js" --host 127.0.0.1 --port "$port" \
    --key peerjs --concurrent_limit 30000
  wait_port "$port"
  register peerjs peerjs "ws://127.0.0.1:$port" "$STARTED"
else
  MISSING+=("peerjs-server: not installed (npm peer@1.0.2; run with --install)")
fi

if ! want matchbox; then
  :
elif [ -x "$MATCHBOX" ]; then
  port=$(free_port)
  start matchbox.log "$MATCHBOX" "127.0.0.1:$port"
  wait_port "$port"
  register matchbox matchbox "ws://127.0.0.1:$port" "$STARTED"
else
  MISSING+=("matchbox_server: not installed (cargo install --locked matchbox_server@0.15.0; run with --install)")
fi

on() { # row mode args...: one measurement of a registered row
  local row=$1
  shift
  bench "$row" "${ROW_KIND[$row]}" "${ROW_URLS[$row]}" "${ROW_PIDS[$row]}" "$@"
}

# 1. Idle memory. The two-instance row runs two load generators at once, one per instance (a process may hold
#    20,000 descriptors at most).
if mode idle; then
  for row in "${ORDER[@]}"; do
    if [ "$row" = ours-2-redis ]; then
      read -r u1 u2 <<< "${ROW_URLS[$row]}"
      read -r i1 i2 _ <<< "${ROW_PIDS[$row]}"
      bench "$row#1" ours "$u1" "$i1" idle --connections "$IDLE" &
      first=$!
      bench "$row#2" ours "$u2" "$i2" idle --connections "$IDLE"
      wait "$first"
    else
      on "$row" idle --connections "$IDLE"
    fi
  done
fi

# 2. The relay, in $ROUNDS rounds that take the servers in turn, so that a slow moment of the machine does not
#    fall on one server only; the table shows each figure's median.
for round in $(seq "$ROUNDS"); do
  for row in "${ORDER[@]}"; do
    if mode rate; then on "$row" rate --pairs "$PAIRS" --rate "$RATE" --seconds "$SECONDS_" --size "$SIZE"; fi
    if mode closed; then
      on "$row" closed --pairs "$CLOSED_PAIRS" --in-flight "$IN_FLIGHT" --seconds "$SECONDS_" --size "$SIZE"
    fi
  done
done

# 3. Nobody reading, last: the servers that keep everything grow by gigabytes.
if mode flood; then
  for row in "${ORDER[@]}"; do
    on "$row" flood --pairs "$FLOOD_PAIRS" --seconds "$FLOOD_SECONDS" --size "$SIZE"
  done
fi
stop_all

# --- the table ------------------------------------------------------------------------------------------
echo
awk -v rate="$RATE" -v flood="$FLOOD_PAIRS" '
  $1 == "@" {
    split($2, name, "/"); row = name[1]; mode = name[2]
    # The two-instance row has two idle lines, "row#1" and "row#2", one per instance.
    sub(/#[0-9]+$/, "", row)
    if (!(row in seen)) { seen[row] = 1; order[++rows] = row }
    for (i = 3; i <= NF; i++) {
      split($i, kv, "=")
      if (mode == "idle") { sum[row, kv[1]] += kv[2]; n[row, kv[1]]++ }
      else { k = (row SUBSEP mode SUBSEP kv[1]); c = ++count[k]; seen_value[k, c] = kv[2] }
    }
  }
  # The median of a figure over the rounds.
  function get(row, mode, key,   k, c, i, j, t, list) {
    k = (row SUBSEP mode SUBSEP key)
    if (!(k in count)) return "-"
    c = count[k]
    for (i = 1; i <= c; i++) list[i] = seen_value[k, i]
    for (i = 2; i <= c; i++) for (j = i; j > 1 && list[j - 1] + 0 > list[j] + 0; j--) { t = list[j]; list[j] = list[j - 1]; list[j - 1] = t }
    return list[int((c + 1) / 2)]
  }
  # Idle: connections in all, and the mean cost per connection over the instances.
  function kib(row) {
    if (!((row, "kib_per_connection") in n)) return "-"
    return sprintf("%.2f (%d)", sum[row, "kib_per_connection"] / n[row, "kib_per_connection"], sum[row, "connections"])
  }
  END {
    printf "| server | idle KiB per connection (connections) | relay p50 / p99 / max at %s msg/s (ms) | max relayed/s (server CPU) | relayed per CPU-second | vs matchbox | nobody reading (%s pairs): peak RSS, readers cut off |\n", rate, flood
    print "|---|---|---|---|---|---|---|"
    base = get("matchbox", "closed", "per_cpu_second")
    for (r = 1; r <= rows; r++) {
      row = order[r]
      per = get(row, "closed", "per_cpu_second")
      ratio = (base != "-" && per != "-" && base + 0 > 0) ? sprintf("%.2f×", per / base) : "-"
      printf "| %s | %s | %s / %s / %s | %s (%s %%) | %s | %s | %s MiB, %s |\n", row, kib(row),
        get(row, "rate", "p50_ms"), get(row, "rate", "p99_ms"), get(row, "rate", "max_ms"),
        get(row, "closed", "per_second"), get(row, "closed", "cpu_percent"), per, ratio,
        get(row, "flood", "peak_mib"), get(row, "flood", "cut")
    }
  }' "$RESULTS"
for missing in "${MISSING[@]}"; do echo "- $missing"; done
echo
echo "Each measurement:"
cat "$LOGS/lines"
if grep '^!' "$RESULTS" >&2; then
  echo "some measurements failed (their output is above)" >&2
  exit 1
fi
