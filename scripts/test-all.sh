#!/usr/bin/env bash
# Runs every test, real servers included: installs the Debian packages the integration tests start
# (HAProxy, nginx, etcd, dnsmasq, Prometheus) when they are missing, then runs the Maven build (unit tests, then *IT
# integration tests that start and stop their own servers on loopback; samples/spring-boot is a module of the
# reactor, so it is built and tested too). Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || packages+=(haproxy)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || packages+=(nginx)
command -v etcd >/dev/null 2>&1 || [ -x /usr/bin/etcd ] || packages+=(etcd-server etcd-client)
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || packages+=(dnsmasq-base)
# samples/spring-boot's SampleIT scrapes the sample with a real Prometheus
command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ] || packages+=(prometheus)
if [ ${#packages[@]} -gt 0 ]; then
  echo "test-all: installing ${packages[*]} (Debian packages used by the integration tests)"
  if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
  else
    SUDO=
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

exec ./mvnw -B -ntp verify "$@"
