#!/usr/bin/env bash
# Installs what the Kafka bus needs on Debian/Ubuntu, for CI and for developers:
# kcat (runs librdkafka's mock cluster for the tests) and the Confluent Kafka
# client, built from source against the system's libraries. The client is an
# optional peer dependency, so `npm ci` never builds it; this script does,
# without saving it to package.json. Idempotent: it skips what is already there.
# The build (minutes) is kept as a tarball in the user's cache, one per client
# version and Node.js ABI, so the next `npm ci` + this script takes seconds.
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

# Installed and built for this Node.js (the native module loads and is the pinned version)?
loads() {
  node -e '
    const pkg = require(process.argv[1] + "/package.json");
    if (pkg.version !== process.argv[2]) process.exit(1);
    require(process.argv[1]);
  ' "$PWD/node_modules/$CLIENT" "$VERSION" 2>/dev/null
}
if loads; then
  echo "install-kafka-client: $CLIENT@$VERSION is built for Node.js $(node -v)"
  exit 0
fi

CACHE_DIR="${CLAYPIPE_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/claypipe}"
ABI="$(node -p 'process.versions.modules + "-" + process.platform + "-" + process.arch')"
CACHED="$CACHE_DIR/kafka-javascript-$VERSION-node-v$ABI.tgz"
if [ -f "$CACHED" ]; then
  # The cached build as a package tarball: npm adds its (pure JS) dependencies, runs no build.
  npm install --no-save --save-prod --ignore-scripts --no-audit --no-fund "$CACHED"
  if loads; then
    echo "install-kafka-client: $CLIENT@$VERSION from the cached build $CACHED"
    exit 0
  fi
  echo "install-kafka-client: the cached build does not load; building again" >&2
  rm -f "$CACHED"
fi

echo "install-kafka-client: building $CLIENT@$VERSION from source (a few minutes)"
started=$SECONDS
# CKJS_LINKING=dynamic: librdkafka links the system's OpenSSL, zstd, lz4, curl and SASL
# instead of downloading their sources. --build-from-source: node-pre-gyp does not try
# the prebuilt binary on GitHub (package.json's allowScripts lets its install script run).
CKJS_LINKING=dynamic npm_config_build_from_source=true \
  npm install --no-save --save-prod --no-audit --no-fund "$CLIENT@$VERSION"
loads || { echo "install-kafka-client: $CLIENT built but does not load" >&2; exit 1; }
echo "install-kafka-client: built in $((SECONDS - started)) s"

# Keep what runs (JS, the addon, librdkafka's shared libraries), not the sources or objects.
mkdir -p "$CACHE_DIR"
tar -czf "$CACHED.tmp" -C "node_modules/${CLIENT%/*}" --transform 's,^kafka-javascript,package,' \
  --exclude=kafka-javascript/deps --exclude=kafka-javascript/node_modules \
  --exclude=kafka-javascript/build/Release/obj.target --exclude=kafka-javascript/build/Release/.deps \
  --exclude='*.a' kafka-javascript
mv "$CACHED.tmp" "$CACHED"
echo "install-kafka-client: cached the build as $CACHED"
