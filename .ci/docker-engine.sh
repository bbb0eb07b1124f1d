#!/usr/bin/env bash
# Installs and starts a container engine for CI, then builds the test image offline.
# Idempotent: safe to run again on a machine where the engine already runs.
# No registry is reachable in CI, so nothing here pulls an image.
set -euo pipefail

SOCKET=/var/run/docker.sock
DATA_ROOT=/var/lib/knot-ci-docker
LOG=/var/log/knot-ci-dockerd.log
IMAGE=knot-busybox:latest

socket_answers() {
  curl --silent --max-time 2 --unix-socket "$SOCKET" http://localhost/_ping >/dev/null 2>&1
}

if ! command -v dockerd >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io busybox-static curl
fi
if ! command -v curl >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y busybox-static curl
fi
# The terminal tests drive `knot space shell` inside tmux, as a person at a terminal would.
if ! command -v tmux >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y tmux
fi

if ! socket_answers; then
  # No bridge and no iptables: CI kernels often lack the netfilter modules, and the
  # test containers need no network (they get only a loopback interface).
  nohup dockerd \
    --iptables=false --ip-masq=false --bridge=none \
    --data-root "$DATA_ROOT" \
    --host "unix://$SOCKET" >"$LOG" 2>&1 &
  for _ in $(seq 1 60); do
    socket_answers && break
    sleep 0.5
  done
  if ! socket_answers; then
    echo "dockerd did not answer on $SOCKET within 30 s; its log ($LOG) ends with:" >&2
    tail -n 30 "$LOG" >&2
    exit 1
  fi
fi

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/etc"
  cp /bin/busybox "$rootfs/bin/busybox"
  chroot "$rootfs" /bin/busybox --install -s /bin
  tar -C "$rootfs" -c . | docker import --change 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
fi

echo "container engine ready at $SOCKET with image $IMAGE"
