#!/usr/bin/env bash
# Keycloak for the token benchmark (TokenBench), from Maven Central; nothing of it is committed.
#   bench/keycloak.sh fetch [version]                 download and unpack into bench/target/keycloak
#   bench/keycloak.sh start <home> <port> <cert> <key> run it on 127.0.0.1 over HTTPS (foreground)
# Keycloak 26 needs Java 21 or later: KEYCLOAK_JAVA_HOME, else the newest JDK under /usr/lib/jvm.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  fetch)
    version="${2:-26.7.3}"
    mkdir -p bench/target/keycloak
    if [ ! -d "bench/target/keycloak/keycloak-$version" ]; then
      mvn -q dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$version:zip" \
        -DoutputDirectory=bench/target/keycloak
      (cd bench/target/keycloak && unzip -q "keycloak-quarkus-dist-$version.zip" && rm "keycloak-quarkus-dist-$version.zip")
    fi
    echo "bench/target/keycloak/keycloak-$version"
    ;;
  start)
    home="$2"; port="$3"; cert="$4"; key="$5"
    java_home="${KEYCLOAK_JAVA_HOME:-}"
    if [ -z "$java_home" ]; then
      for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -V -r); do
        v=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p')
        if [ "${v%%.*}" -ge 21 ] 2>/dev/null; then java_home="${candidate%/}"; break; fi
      done
    fi
    [ -n "$java_home" ] || { echo "Keycloak needs Java 21+: set KEYCLOAK_JAVA_HOME" >&2; exit 1; }
    export JAVA_HOME="$java_home" PATH="$java_home/bin:$PATH"
    export KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=bench-admin
    export JAVA_OPTS_KC_HEAP="-Xms512m -Xmx1g"
    rm -rf "$home/data"
    exec "$home/bin/kc.sh" start --db=dev-file --cache=local --hostname-strict=false --http-enabled=false \
      --http-host=127.0.0.1 --https-port="$port" --https-certificate-file="$cert" \
      --https-certificate-key-file="$key" --log-level=warn
    ;;
  *)
    echo "usage: bench/keycloak.sh fetch [version] | start <home> <port> <cert> <key>" >&2; exit 2 ;;
esac
