#!/usr/bin/env bash
# Sandbox throughput and memory, on loopback only, bounded in time.
#
#  1. prepare_payment requests per second at 64 connections against the
#     sandbox (every request a new payment), beside a minimal hyper server
#     answering a fixed body, in the same run (wrk, 2 threads, DURATION each).
#  2. Memory per stored payment: 1,000,000 payments in an in-memory sandbox,
#     VmRSS growth.
#
# Usage: scripts/bench-sandbox.sh            (DURATION=10s PAYMENTS=1000000)
# Installs wrk with apt-get if it is missing. Release builds only.
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
PAYMENTS="${PAYMENTS:-1000000}"
work="$(mktemp -d)"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  else
    sudo apt-get install -y wrk >/dev/null || { sudo apt-get update >/dev/null && sudo apt-get install -y wrk >/dev/null; }
  fi
fi

cargo build --release --quiet -p octo-sandbox --example serve --example fixed_body_server --example memory_per_payment
bin=target/release/examples

# Starts an example on a free loopback port; sets `url` to its base URL.
# Not called as `$(start ...)`: in that subshell the pid would not reach
# `pids`, and `cleanup` would leave the servers running.
start() {
  local name="$1" log="$work/$1.log"
  "$bin/$name" 127.0.0.1:0 >"$log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 100); do
    if grep -q '^listening on ' "$log"; then
      url="$(sed -n 's/^listening on //p' "$log" | head -n1)"
      return 0
    fi
    sleep 0.1
  done
  echo "$name did not start within 10 s:" >&2
  cat "$log" >&2
  return 1
}

# Runs wrk once with run tag $2; prints requests/second.
measure() {
  local url="$1" tag="$2" out="$work/wrk.$2.txt"
  timeout 60 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
    -s scripts/bench-sandbox.lua "$url" -- "$tag" >"$out"
  cat "$out" >&2
  if grep -q 'Non-2xx' "$out"; then
    echo "some answers were not 2xx" >&2
    return 1
  fi
  awk '/^Requests\/sec:/ {print $2}' "$out"
}

start fixed_body_server
fixed_url="$url"
start serve
sandbox_url="$url"
echo "fixed-body server: $fixed_url   sandbox: $sandbox_url" >&2

# A short warm-up of each, then the measured runs, alternating.
DURATION=2s measure "$fixed_url" warm >/dev/null
DURATION=2s measure "$sandbox_url" warm >/dev/null
echo "== fixed-body hyper server ==" >&2
fixed_rps="$(measure "$fixed_url" fixed)"
echo "== sandbox prepare_payment ==" >&2
sandbox_rps="$(measure "$sandbox_url" run)"

# The sandbox really created payments: the first one of the measured run
# (wrk numbers its threads from 1)
# exists.
check="$(curl -sS --max-time 5 -H 'content-type: application/json' \
  -d '{"octo_shop_id":10000,"octo_secret":"sandbox-secret-2d45df74","shop_transaction_id":"b-run-1-1"}' \
  "$sandbox_url/prepare_payment")"
case "$check" in
  *'"error":0'*) ;;
  *) echo "status check of b-run-1-1 failed: $check" >&2; exit 1 ;;
esac

echo "== memory: $PAYMENTS payments in memory ==" >&2
memory="$(timeout 600 "$bin/memory_per_payment" "$PAYMENTS")"

ratio="$(awk -v s="$sandbox_rps" -v f="$fixed_rps" 'BEGIN { printf "%.2f", s / f }')"
cat <<REPORT

machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)
wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per run, loopback

fixed-body hyper server:    $fixed_rps requests/s
sandbox prepare_payment:    $sandbox_rps requests/s (each a new payment)
sandbox / fixed-body:       $ratio (target >= 0.70)

$memory
REPORT
