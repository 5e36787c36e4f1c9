#!/usr/bin/env bash
# Installs what the Kafka bus needs on Debian/Ubuntu, for CI and for developers:
# kcat (runs librdkafka's mock cluster for the tests) and the Confluent Kafka
# client, built from source against the system's libraries. The client is an
# optional peer dependency, so `npm ci` never builds it; this script does,
# without saving it to package.json. Idempotent: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENT=@confluentinc/kafka-javascript
VERSION=1.10.1
APT_PACKAGES=(kcat libssl-dev zlib1g-dev libzstd-dev libcurl4-openssl-dev libsasl2-dev liblz4-dev)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "install-kafka-client: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# Built already for this Node.js (the native module loads and is the pinned version)?
if node -e '
  const pkg = require(process.argv[1] + "/package.json");
  if (pkg.version !== process.argv[2]) process.exit(1);
  require(process.argv[1]);
' "$PWD/node_modules/$CLIENT" "$VERSION" 2>/dev/null; then
  echo "install-kafka-client: $CLIENT@$VERSION is built for Node.js $(node -v)"
  exit 0
fi

echo "install-kafka-client: building $CLIENT@$VERSION from source (a few minutes)"
started=$SECONDS
# CKJS_LINKING=dynamic: librdkafka links the system's OpenSSL, zstd, lz4, curl and SASL
# instead of downloading their sources. --build-from-source: node-pre-gyp does not try
# the prebuilt binary on GitHub (package.json's allowScripts lets its install script run).
CKJS_LINKING=dynamic npm_config_build_from_source=true \
  npm install --no-save --save-prod --no-audit --no-fund "$CLIENT@$VERSION"
node -e 'require(process.argv[1])' "$PWD/node_modules/$CLIENT"
echo "install-kafka-client: built in $((SECONDS - started)) s"
