#!/usr/bin/env bash
# Starts two Streamlit replicas and HAProxy in front of them (cookie-sticky sessions).
# Usage: scripts/serve-replicas.sh [PROXY_PORT] [PORT1] [PORT2]   (stops all three on Ctrl-C)
set -euo pipefail
cd "$(dirname "$0")/.."
PROXY_PORT=${1:-8510}; PORT1=${2:-8511}; PORT2=${3:-8512}
if ! command -v haproxy >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq haproxy >/dev/null
fi
RUN=$(mktemp -d)
sed -e "s/@PROXY_PORT@/$PROXY_PORT/" -e "s/@PORT1@/$PORT1/" -e "s/@PORT2@/$PORT2/" deploy/haproxy.cfg.in > "$RUN/haproxy.cfg"
pids=()
for p in "$PORT1" "$PORT2"; do
  .venv/bin/streamlit run app.py --server.port "$p" --server.address 127.0.0.1 --server.headless true > "$RUN/replica-$p.log" 2>&1 &
  pids+=($!)
done
haproxy -f "$RUN/haproxy.cfg" -db > "$RUN/haproxy.log" 2>&1 &
pids+=($!)
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM
echo "replicas on $PORT1 and $PORT2, proxy on http://127.0.0.1:$PROXY_PORT (logs in $RUN)"
wait
