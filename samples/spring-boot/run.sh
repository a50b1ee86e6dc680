#!/usr/bin/env bash
# Builds the sample and runs it on 127.0.0.1: the registry (an in-process ZooKeeper), two inventory instances and
# catalog; calls catalog, shows the actuator views, stops one inventory instance while calls keep going (graceful
# drain), then stops everything. Logs: target/run-logs/. SKIP_BUILD=1 reuses the jar; ports: see below.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

REGISTRY_PORT=${REGISTRY_PORT:-22181}
INVENTORY1_PORT=${INVENTORY1_PORT:-18081}
INVENTORY2_PORT=${INVENTORY2_PORT:-18082}
CATALOG_PORT=${CATALOG_PORT:-18080}
jar="$here/target/mesh-sample-spring-boot.jar"
logs="$here/target/run-logs"
catalog="http://127.0.0.1:$CATALOG_PORT"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

for port in "$REGISTRY_PORT" "$INVENTORY1_PORT" "$INVENTORY2_PORT" "$CATALOG_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "run.sh: port $port on 127.0.0.1 is in use; set REGISTRY_PORT, INVENTORY1_PORT, INVENTORY2_PORT, CATALOG_PORT" >&2
    exit 1
  fi
done

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  step "build (the mesh libraries from this repository, then the sample's jar)"
  (cd "$root" && ./mvnw -B -ntp -q -pl samples/spring-boot -am package -Dmaven.test.skip=true)
fi

mkdir -p "$logs"
declare -A pid=()
stop() { # stop one process by its PID and wait for it
  local name=$1
  if [ -n "${pid[$name]:-}" ]; then
    kill -TERM "${pid[$name]}" 2>/dev/null || true
    wait "${pid[$name]}" 2>/dev/null || true
    unset "pid[$name]"
  fi
}
cleanup() {
  for name in catalog inventory-1 inventory-2 registry; do stop "$name"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # name, then the jar's arguments
  local name=$1
  shift
  java -jar "$jar" "$@" >"$logs/$name.log" 2>&1 &
  pid[$name]=$!
}
await_up() { # name, url: wait until it answers 200
  local name=$1 url=$2
  for _ in $(seq 1 120); do
    if curl -sf -o /dev/null "$url"; then return 0; fi
    if ! kill -0 "${pid[$name]}" 2>/dev/null; then
      echo "run.sh: $name exited; its log:" >&2
      tail -40 "$logs/$name.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "run.sh: $name not up after 60s; see $logs/$name.log" >&2
  exit 1
}

step "start: registry (ZooKeeper on 127.0.0.1:$REGISTRY_PORT), inventory x2, catalog"
start registry registry --port="$REGISTRY_PORT"
for _ in $(seq 1 60); do grep -q 'ZooKeeper ready' "$logs/registry.log" && break; sleep 0.5; done
grep 'ZooKeeper ready' "$logs/registry.log"
registry="--sample.registry=127.0.0.1:$REGISTRY_PORT"
start inventory-1 inventory "$registry" --server.port="$INVENTORY1_PORT"
start inventory-2 inventory "$registry" --server.port="$INVENTORY2_PORT"
start catalog catalog "$registry" --server.port="$CATALOG_PORT"
await_up inventory-1 "http://127.0.0.1:$INVENTORY1_PORT/actuator/health"
await_up inventory-2 "http://127.0.0.1:$INVENTORY2_PORT/actuator/health"
await_up catalog "$catalog/actuator/health"
echo "up: registry pid ${pid[registry]}, inventory-1 pid ${pid[inventory-1]} (:$INVENTORY1_PORT)," \
  "inventory-2 pid ${pid[inventory-2]} (:$INVENTORY2_PORT), catalog pid ${pid[catalog]} (:$CATALOG_PORT)"

step "catalog -> inventory through the mesh (GET $catalog/products/{id}; servedBy = the inventory instance)"
for id in apple pear plum fig kiwi lime; do
  curl -sf "$catalog/products/$id"
  echo
done

step "GET /actuator/mesh (catalog's view of the mesh)"
curl -sf "$catalog/actuator/mesh"
echo
step "GET /actuator/health"
curl -sf "$catalog/actuator/health"
echo
step "GET /actuator/prometheus | grep mesh_"
curl -sf "$catalog/actuator/prometheus" | grep '^mesh_' | grep -v '_bucket{' || true

step "stop inventory-1 (SIGTERM: deregister, drain) while catalog keeps calling"
ok=0
failed=0
kill -TERM "${pid[inventory-1]}"
stopping=${pid[inventory-1]}
deadline=$((SECONDS + 30))
while kill -0 "$stopping" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
  if curl -sf -o /dev/null "$catalog/products/drain-$ok"; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
done
wait "$stopping" 2>/dev/null || true
unset "pid[inventory-1]"
for i in $(seq 1 20); do
  if curl -sf -o /dev/null "$catalog/products/after-$i"; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
done
echo "inventory-1 stopped; calls during and after its drain: $ok succeeded, $failed failed"
grep -h 'drain' "$logs/inventory-1.log" | tail -3 || true
echo "now served by:"
for id in a b c; do curl -sf "$catalog/products/$id"; echo; done

step "stop everything"
cleanup
echo "stopped; logs in $logs"
[ "$failed" -eq 0 ]
