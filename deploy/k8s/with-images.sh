#!/bin/sh
# Writes a throw-away kustomization that wraps an overlay and pins the four Parity images to
# REGISTRY/<name>:TAG, and prints its directory; `kubectl apply -k` / `kubectl diff -k` then use it.
# This is what `kustomize edit set image` would do, without needing kustomize or editing the repo.
# usage: with-images.sh OVERLAY_DIR REGISTRY TAG
set -eu
if [ "$#" -ne 3 ]; then
  echo "usage: $0 OVERLAY_DIR REGISTRY TAG" >&2
  exit 2
fi
overlay="$(cd "$1" && pwd -P)"
registry="$2"
tag="$3"
dir="$(cd "$(mktemp -d "${TMPDIR:-/tmp}/parity-k8s.XXXXXX")" && pwd -P)"
# kustomize refuses an absolute resource ("new root ... cannot be absolute"): climb from $dir to / and
# descend to the overlay, which works wherever the two are.
up="$(printf '%s\n' "$dir" | sed -e 's#[^/][^/]*#..#g' -e 's#^/##')"
{
  printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n'
  printf 'resources:\n  - %s%s\n' "$up" "$overlay"
  printf 'images:\n'
  for name in parity-operational parity-decisional parity-cli parity-web; do
    printf '  - name: %s\n    newName: %s/%s\n    newTag: "%s"\n' "$name" "$registry" "$name" "$tag"
  done
} >"$dir/kustomization.yaml"
printf '%s\n' "$dir"
