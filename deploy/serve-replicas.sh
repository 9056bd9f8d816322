#!/usr/bin/env bash
# Two Streamlit replicas of Mountain Atlas behind HAProxy with cookie-sticky sessions.
# Usage: deploy/serve-replicas.sh [PROXY_PORT] [PORT1] [PORT2]      (make serve-replicas)
# Env:   BASE_PATH=atlas  serves the app under /atlas/ (proxy and replicas agree on the prefix)
#        BIND=127.0.0.1   address the proxy listens on (replicas always listen on loopback)
# Stops all three on Ctrl-C / SIGTERM. See deploy/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PROXY_PORT=${1:-8510}; PORT1=${2:-8511}; PORT2=${3:-8512}
BASE_PATH=${BASE_PATH:-}; BASE_PATH=${BASE_PATH#/}; BASE_PATH=${BASE_PATH%/}
BIND=${BIND:-127.0.0.1}
if ! command -v haproxy >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  echo "serve-replicas: installing Debian's haproxy"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends haproxy >/dev/null
fi
RUN=$(mktemp -d -t atlas-replicas.XXXXXX)
HEALTH="/_stcore/health"; [ -n "$BASE_PATH" ] && HEALTH="/$BASE_PATH/_stcore/health"
sed -e "s#@BIND@#$BIND#" -e "s#@PROXY_PORT@#$PROXY_PORT#" -e "s#@PORT1@#$PORT1#" -e "s#@PORT2@#$PORT2#" \
    -e "s#@HEALTH@#$HEALTH#" deploy/haproxy.cfg.in > "$RUN/haproxy.cfg"
haproxy -c -q -f "$RUN/haproxy.cfg"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
for p in "$PORT1" "$PORT2"; do
  .venv/bin/streamlit run serve.py --server.port "$p" --server.address 127.0.0.1 --server.headless true \
    --server.baseUrlPath "$BASE_PATH" --server.fileWatcherType none > "$RUN/replica-$p.log" 2>&1 &
  pids+=($!)
done
haproxy -f "$RUN/haproxy.cfg" -db > "$RUN/haproxy.log" 2>&1 &
pids+=($!)
echo "${pids[*]}" > "$RUN/pids"
echo "replicas on 127.0.0.1:$PORT1 and :$PORT2, proxy on http://$BIND:$PROXY_PORT/${BASE_PATH:+$BASE_PATH/} (logs and pids in $RUN)"
wait -n "${pids[@]}"  # if any of the three dies, stop the others
echo "serve-replicas: a process exited; stopping (logs in $RUN)" >&2
exit 1
