#!/usr/bin/env bash
# Runs the whole test suite. Installs first, from Debian's packages and only where missing,
# what only the tests need: Chromium (the report is checked in a real browser) and Slurm with
# munge (the Slurm launcher is tested against a real throwaway cluster). Run as root.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v slurmctld >/dev/null || missing+=(slurm-wlm)
command -v munged >/dev/null || missing+=(munge)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

dotnet test "$repo/Experiments.sln"
