#!/usr/bin/env bash
# Installs and starts a container engine for CI, then builds the test image offline.
# Idempotent: safe to run again on a machine where the engine already runs.
# No registry is reachable in CI, so nothing here pulls an image.
set -euo pipefail

SOCKET=/var/run/docker.sock
DATA_ROOT=/var/lib/knot-ci-docker
LOG=/var/log/knot-ci-dockerd.log
IMAGE=knot-busybox:latest
SFTP_IMAGE=knot-sftp:latest
SFTP_SERVER=/usr/lib/openssh/sftp-server

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
# The SSH gateway's tests drive it with OpenSSH's client (and tmux), and copy the sftp server into an image.
if ! command -v ssh >/dev/null 2>&1 || ! command -v ssh-add >/dev/null 2>&1 || ! command -v tmux >/dev/null 2>&1 || [ ! -x "$SFTP_SERVER" ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y openssh-client openssh-sftp-server tmux
fi
# The terminal tests drive `knot space shell` inside tmux, as a person at a terminal would.
if ! command -v tmux >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y tmux
fi

# The web UI's tests drive Debian's Chromium (playwright-core, the system browser: nothing is downloaded).
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
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

# busybox, OpenSSH's sftp-server and ssh-add with the libraries they link: scp, sftp and rsync
# into a space need the first; the agent forwarding tests list the forwarded agent's keys with the other.
# The label names what the image holds, so an image built before a tool was added is built again.
SFTP_TOOLS="$SFTP_SERVER /usr/bin/ssh-add"
SFTP_LABEL="knot.test-tools=sftp-server,ssh-add"
if [ "$(docker image inspect --format '{{ index .Config.Labels "knot.test-tools" }}' "$SFTP_IMAGE" 2>/dev/null)" != "${SFTP_LABEL#*=}" ]; then
  sftp_root=$(mktemp -d)
  mkdir -p "$sftp_root/bin" "$sftp_root/tmp" "$sftp_root/proc" "$sftp_root/sys" "$sftp_root/dev" "$sftp_root/etc"
  cp /bin/busybox "$sftp_root/bin/busybox"
  chroot "$sftp_root" /bin/busybox --install -s /bin
  for tool in $SFTP_TOOLS; do
    mkdir -p "$sftp_root$(dirname "$tool")"
    cp "$tool" "$sftp_root$tool"
    for lib in $(ldd "$tool" | grep -o '/[^ ]*'); do
      mkdir -p "$sftp_root$(dirname "$lib")"
      cp -L "$lib" "$sftp_root$lib"
    done
  done
  # sftp-server looks its user up by uid.
  echo 'root:x:0:0:root:/root:/bin/sh' >"$sftp_root/etc/passwd"
  echo 'root:x:0:' >"$sftp_root/etc/group"
  mkdir -p "$sftp_root/root"
  tar -C "$sftp_root" -c . | docker import --change 'CMD ["/bin/sh"]' --change "LABEL $SFTP_LABEL" - "$SFTP_IMAGE" >/dev/null
  rm -rf "$sftp_root"
fi

echo "container engine ready at $SOCKET with images $IMAGE and $SFTP_IMAGE"
