#!/usr/bin/env bash
# storms.sh BINARY LABEL: peak resident memory (VmHWM) of the example server under Argon2 storms (wrong
# secrets, one repeated and many distinct), and the status counts. Needs wrk, curl and python3; loopback
# only; about three minutes.
#   cargo build --release --example server
#   tools/reliability/storms.sh target/release/examples/server after
set -u
BIN=$(realpath "$1"); LABEL=$2; HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${TMPDIR:-/tmp}/scim-token-storms-$LABEL; rm -rf "$DIR"; mkdir -p "$DIR"; cd "$DIR"
ADMIN='*:*.measure-admin'
export SCIM_TOKEN_ADMIN_TOKEN="$ADMIN" SCIM_TOKEN_DB="$DIR/db.sqlite" SCIM_TOKEN_LOG=warn
rss() { awk -v f="$2:" '$1==f {print $2}' /proc/$1/status; }
start() { SCIM_TOKEN_ADDR=127.0.0.1:$1 "$BIN" > "$DIR/server-$1.log" 2>&1 & echo $!; }
wait_up() { for i in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$1/api/openapi.json" && return; sleep 0.1; done; echo "server $1 did not start"; exit 1; }
gen() { curl -s -X POST "http://127.0.0.1:$1/api/admin/scim-settings/generate-new-token" -H "Authorization: $ADMIN" | sed -E 's/.*"token":"([^"]+)".*/\1/'; }

# Storm 1: wrong secrets with a known selector, wrk -t2 -c32 for 30 s: (a) one token repeated, as in
# the original storm; (b) 1 000 different wrong tokens in turn, so concurrent checks cannot share a run.
for variant in same distinct; do
  A=$(start 4401); wait_up 4401
  TOKEN=$(gen 4401)
  if [ $variant = same ]; then python3 "$HERE/forge_tokens.py" "$TOKEN" 1 > "$DIR/tokens.txt";
  else python3 "$HERE/forge_tokens.py" "$TOKEN" 1000 > "$DIR/tokens.txt"; fi
  echo "[$LABEL] storm 1 ($variant) idle before: VmRSS $(rss $A VmRSS) kB"
  TOKENS_FILE="$DIR/tokens.txt" wrk -t2 -c32 -d30s -s "$HERE/tokens.lua" \
    http://127.0.0.1:4401/scim/v2/ServiceProviderConfig > "$DIR/wrk-$variant.txt"
  grep -E "Requests/sec|requests in|^status" "$DIR/wrk-$variant.txt" | sed "s/^/[$LABEL]   /"
  sleep 5
  echo "[$LABEL] storm 1 ($variant): VmHWM $(rss $A VmHWM) kB, VmRSS 5 s after $(rss $A VmRSS) kB"
  kill $A; wait $A 2>/dev/null
done

# Storm 2: five bursts of 300 simultaneous first uses of a new token. Another instance on the same file
# generates each token, so the measured instance's cache is cold, as after a restart.
A=$(start 4402); B=$(start 4403); wait_up 4402; wait_up 4403
echo "[$LABEL] storm 2 idle before: VmRSS $(rss $A VmRSS) kB"
for burst in 1 2 3 4 5; do
  TOKEN=$(gen 4403)
  echo "[$LABEL]   burst $burst: $(python3 "$HERE/burst.py" 4402 "$TOKEN" 300)"
done
sleep 5
echo "[$LABEL] storm 2: VmHWM $(rss $A VmHWM) kB, VmRSS 5 s after $(rss $A VmRSS) kB"
kill $A $B; wait 2>/dev/null
