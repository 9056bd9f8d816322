#!/usr/bin/env bash
# Finds or installs the Debian packages that tests, snapshots and the replicated deployment need:
# Chromium drives the browser tests, Noto CJK gives Chinese snapshots real glyphs, HAProxy is the
# proxy of `make serve-replicas` and of the failover test.
#
# A busy machine may be running apt already (unattended upgrades at boot, another install): we
# wait for its locks instead of failing at once, up to APT_LOCK_WAIT seconds (default 600).
set -euo pipefail
APT_LOCK_WAIT=${APT_LOCK_WAIT:-600}
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null || need+=(fonts-noto-cjk fontconfig)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "system-deps: please install the Debian packages: ${need[*]}" >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo

# `apt-get update` takes /var/lib/apt/lists/lock, which DPkg::Lock::Timeout does not cover.
# Where fuser (psmisc) is present we wait until no process holds it; apt_update below also
# retries, so without fuser the wait still happens (as failed attempts 10 s apart).
wait_for_lists_lock() {
  local lock=/var/lib/apt/lists/lock end=$((SECONDS + APT_LOCK_WAIT)) said=""
  while [ -e "$lock" ] && command -v fuser >/dev/null 2>&1 && $SUDO fuser "$lock" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then
      echo "system-deps: apt's package lists are still locked after ${APT_LOCK_WAIT} s (another apt running?)" >&2
      return 1
    fi
    [ -n "$said" ] || { echo "system-deps: waiting for another apt to release $lock"; said=1; }
    sleep 3
  done
}

# apt-get update with retries: a lock held by another apt (or a short network failure) is waited
# out rather than reported at once.
apt_update() {
  local end=$((SECONDS + APT_LOCK_WAIT))
  while :; do
    wait_for_lists_lock
    if $SUDO apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT" update -qq; then
      return 0
    fi
    if [ $SECONDS -ge $end ]; then
      echo "system-deps: apt-get update kept failing for ${APT_LOCK_WAIT} s" >&2
      return 1
    fi
    echo "system-deps: apt-get update failed (another apt holding its lock?); retrying in 10 s" >&2
    sleep 10
  done
}

echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_update
# DPkg::Lock::Timeout makes apt-get wait for the dpkg frontend lock (another apt-get/dpkg)
$SUDO apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
