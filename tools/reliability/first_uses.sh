#!/usr/bin/env bash
# first_uses.sh BINARY LABEL: wrk -t2 -c128 -d10s with a just-generated valid token, on the instance that
# generated it and on a second instance (cold cache) sharing the database file. Needs wrk and curl.
BIN=$(realpath "$1"); LABEL=$2; HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${TMPDIR:-/tmp}/scim-token-first-uses-$LABEL; rm -rf $DIR; mkdir -p $DIR; cd $DIR
export SCIM_TOKEN_ADMIN_TOKEN='*:*.m' SCIM_TOKEN_LOG=warn SCIM_TOKEN_DB=$DIR/db.sqlite
SCIM_TOKEN_ADDR=127.0.0.1:4420 $BIN > a.log 2>&1 & A=$!
SCIM_TOKEN_ADDR=127.0.0.1:4421 $BIN > b.log 2>&1 & B=$!
for p in 4420 4421; do for i in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$p/api/openapi.json && break; sleep 0.1; done; done
for port in 4420 4421; do
  T=$(curl -s -X POST http://127.0.0.1:4420/api/admin/scim-settings/generate-new-token -H "Authorization: *:*.m" | sed -E 's/.*"token":"([^"]+)".*/\1/')
  echo "$T" > tokens.txt
  echo "[$LABEL] wrk -c128 on $([ $port = 4420 ] && echo 'the generating instance' || echo 'another instance (cold cache)'):"
  TOKENS_FILE=tokens.txt wrk -t2 -c128 -d10s -s "$HERE/tokens.lua" http://127.0.0.1:$port/ | grep -E "Requests/sec|^status" | sed 's/^/    /'
done
kill $A $B; wait 2>/dev/null
