#!/usr/bin/env bash
# Streamlit replicas of Mountain Atlas behind HAProxy with cookie-sticky sessions.
# Usage: deploy/serve-replicas.sh [PROXY_PORT] [PORT1] [PORT2 ...]   (make serve-replicas)
#        deploy/serve-replicas.sh --replica PORT   one replica in the foreground (the same command)
# Env:   BASE_PATH=atlas     serves the app under /atlas/ (proxy and replicas agree on the prefix)
#        BIND=127.0.0.1      address the proxy listens on (replicas always listen on loopback)
#        RESTART_DELAY=5     seconds before a replica that died is started again; "off": leave it down
#        RUN_DIR=DIR         where logs, haproxy.cfg, the admin socket and PID files go (default: a new
#                            temporary folder); replica-PORT.pid always holds the live replica's PID
#        APP_ENTRY=serve.py  the script every replica runs (serve.py: the app and its map-file routes)
#        REPLICA_ADDRESS=127.0.0.1  address a replica listens on (--replica mode on another machine:
#                            a private address the proxy machine reaches)
#        REMOTE="10.0.0.11:8511 10.0.0.12:8511"  proxy only: these replicas (started elsewhere with
#                            --replica) instead of local ones
# A replica that dies does not stop the proxy or the other replicas: HAProxy's health check takes
# it out, its browsers reconnect to another replica, and the replica is started again.
# Ctrl-C / SIGTERM stops everything; so does HAProxy dying. See deploy/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
APP_ENTRY=${APP_ENTRY:-serve.py}
BASE_PATH=${BASE_PATH:-}; BASE_PATH=${BASE_PATH#/}; BASE_PATH=${BASE_PATH%/}
BIND=${BIND:-127.0.0.1}
REPLICA_ADDRESS=${REPLICA_ADDRESS:-127.0.0.1}
REMOTE=${REMOTE:-}
RESTART_DELAY=${RESTART_DELAY:-5}

# The one place the replica command is written.
replica() {
  local port=$1
  exec .venv/bin/streamlit run "$APP_ENTRY" --server.port "$port" --server.address "$REPLICA_ADDRESS" \
    --server.headless true --server.baseUrlPath "$BASE_PATH" --server.fileWatcherType none \
    --browser.gatherUsageStats false
}

if [ "${1:-}" = "--replica" ]; then
  [ -n "${2:-}" ] || { echo "usage: $0 --replica PORT" >&2; exit 2; }
  replica "$2"
fi

PROXY_PORT=${1:-8510}; shift || true
PORTS=("$@"); [ ${#PORTS[@]} -gt 0 ] || PORTS=(8511 8512)
PATH=$PATH:/usr/sbin
if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  echo "serve-replicas: installing Debian's haproxy"
  bash scripts/system-deps.sh
fi
RUN=${RUN_DIR:-$(mktemp -d -t atlas-replicas.XXXXXX)}; mkdir -p "$RUN"
HEALTH="/_stcore/health"; [ -n "$BASE_PATH" ] && HEALTH="/$BASE_PATH/_stcore/health"

# haproxy.cfg: the template with one `server` line per replica
servers=""; i=0
if [ -n "$REMOTE" ]; then
  for hp in $REMOTE; do i=$((i + 1)); servers+="    server r$i $hp cookie r$i\\n"; done
  PORTS=()
else
  for p in "${PORTS[@]}"; do i=$((i + 1)); servers+="    server r$i 127.0.0.1:$p cookie r$i\\n"; done
fi
awk -v servers="$servers" '$0 == "    @SERVERS@" { printf "%s", servers; next } { print }' deploy/haproxy.cfg.in |
  sed -e "s#@BIND@#$BIND#" -e "s#@PROXY_PORT@#$PROXY_PORT#" -e "s#@HEALTH@#$HEALTH#" -e "s#@RUN@#$RUN#" > "$RUN/haproxy.cfg"
haproxy -c -q -f "$RUN/haproxy.cfg"

# Each replica runs under a small supervisor: when it exits, log it and start it again.
supervise() {
  local port=$1 child="" rc
  trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait 2>/dev/null; exit 0' TERM
  while :; do
    replica "$port" >> "$RUN/replica-$port.log" 2>&1 &
    child=$!
    echo "$child" > "$RUN/replica-$port.pid"
    rc=0; wait "$child" || rc=$?
    child=""
    echo "serve-replicas: $(date +%T) replica on :$port exited (status $rc); the proxy and the other replicas keep serving" >&2
    [ "$RESTART_DELAY" = off ] && exit 0
    sleep "$RESTART_DELAY" & wait $!
    echo "serve-replicas: $(date +%T) starting the replica on :$port again" >&2
  done
}

pids=()
cleanup() {
  trap - EXIT INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for p in ${PORTS[@]+"${PORTS[@]}"}; do
  supervise "$p" &
  pids+=($!)
done
haproxy -f "$RUN/haproxy.cfg" -db > "$RUN/haproxy.log" 2>&1 &
proxy=$!
pids+=("$proxy")
echo "$proxy" > "$RUN/haproxy.pid"
echo "replicas on ${REMOTE:-127.0.0.1:${PORTS[*]}}, proxy on http://$BIND:$PROXY_PORT/${BASE_PATH:+$BASE_PATH/} (logs, PIDs, admin socket in $RUN)"
rc=0; wait "$proxy" || rc=$?
echo "serve-replicas: HAProxy exited (status $rc); stopping the replicas (logs in $RUN)" >&2
exit 1
