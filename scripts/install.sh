#!/usr/bin/env bash
# Sets up a Debian 12 / Ubuntu 22.04+ machine with the .NET 10 SDK for exp:
# the Fashion-MNIST data (a Debian package, no download at run time), then the `exp`
# command, published to /opt/exp and linked into /usr/local/bin. Run as root.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${EXP_PREFIX:-/opt/exp}"

if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dataset-fashion-mnist
fi

dotnet publish "$repo/src/Exp.Cli/Exp.Cli.csproj" -c Release -o "$prefix" --nologo -v quiet
ln -sf "$prefix/exp" /usr/local/bin/exp
echo "exp $(exp --version) installed in $prefix, on the PATH as /usr/local/bin/exp"
