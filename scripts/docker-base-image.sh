#!/usr/bin/env bash
# Make the Dockerfile's base image locally, for machines that reach Debian's package mirror but no
# container registry (air-gapped build hosts, CI runners behind a proxy):
#
#   bash scripts/docker-base-image.sh [TAG]          default TAG: gwp-monitor-base:bookworm
#   docker build --network host --build-arg PYTHON_IMAGE=gwp-monitor-base:bookworm -t gwp-monitor:local .
#
# The image is a minimal Debian 12 (bookworm) root filesystem made with debootstrap, with Python 3.11
# and venv (what the Dockerfile needs from python:3.11-slim-bookworm), imported with `docker import`.
# This machine's CA bundle is copied in, so pip inside the build trusts the same certificates as pip
# here (a TLS-inspecting proxy's CA included). Nothing is done when TAG already exists (--rebuild to
# make it again). Needs root (debootstrap), a running Docker daemon and Debian's debootstrap package.
# DEBIAN_MIRROR overrides the mirror (default http://deb.debian.org/debian).
set -euo pipefail

rebuild=0
tag=gwp-monitor-base:bookworm
for arg in "$@"; do
  case "$arg" in
    --rebuild) rebuild=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "docker-base-image: unknown option $arg (try --help)" >&2; exit 2 ;;
    *) tag=$arg ;;
  esac
done
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

die() { echo "docker-base-image: $*" >&2; exit 1; }
command -v docker >/dev/null || die "no docker client; install Debian's docker.io"
docker info >/dev/null 2>&1 || die "no Docker daemon answers; start one (as root: dockerd --bridge=none --iptables=false &)"
if [ "$rebuild" = 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "docker-base-image: $tag already exists (--rebuild to make it again)" >&2
  exit 0
fi
[ "$(id -u)" = 0 ] || die "debootstrap needs root"
command -v debootstrap >/dev/null || die "no debootstrap; install Debian's debootstrap package"

rootfs=$(mktemp -d "${TMPDIR:-/tmp}/gwp-base-rootfs.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT
echo "docker-base-image: debootstrap bookworm from $mirror (about a minute)" >&2
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$rootfs" "$mirror" \
  >"$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; die "debootstrap failed (log above)"; }
rm -f "$rootfs.log"
for bundle in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do
  if [ -f "$bundle" ]; then cp "$bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"; break; fi
done
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import \
  -c 'ENV LANG=C.UTF-8' \
  -c 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
  -c 'CMD ["python3"]' \
  - "$tag" >/dev/null
echo "docker-base-image: made $tag" >&2
