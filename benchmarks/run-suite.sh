#!/usr/bin/env bash
# The whole benchmark suite in one command: builds the benchmark jar if it is missing or older than the sources, runs
# every part (JMH benchmarks with JSON results and -prof gc, the plain mains with their output captured), records the
# machine's facts, then writes summary.md and the SVG charts with io.meshsdk.benchmarks.report.SuiteReport.
#
#   benchmarks/run-suite.sh [--quick] [--out DIR] [--only REGEX]
#
#   --quick       fewer iterations and variants (about 3 minutes on 2 vCPUs; full: about 15)
#   --out DIR     where results go (default benchmarks/results/latest); emptied of a previous run's files first
#   --only REGEX  run only the parts whose name matches (bash regex), e.g. --only 'Pipeline|Rejection'
#
# Parts whose class is not in the jar are skipped with a line saying so. Exit status 1 if a part failed.
# Environment: JAVA_HOME (the JDK to run with; else java on the PATH), MAVEN_ARGS (extra Maven options, e.g. -o),
# SUITE_JMH_LOCK_WAIT (seconds a part waits while another JMH run holds JMH's lock; default 900).
set -euo pipefail

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

mode=full
out=
only=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --out) [ $# -ge 2 ] || { usage >&2; exit 2; }; out=$2; shift ;;
    --out=*) out=${1#--out=} ;;
    --only) [ $# -ge 2 ] || { usage >&2; exit 2; }; only=$2; shift ;;
    --only=*) only=${1#--only=} ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run-suite: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# --out is relative to the caller's directory
[ -n "$out" ] || out="$root/benchmarks/results/latest"
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$root"

java=${JAVA_HOME:+$JAVA_HOME/bin/}java
lock_wait=${SUITE_JMH_LOCK_WAIT:-900}
jar=benchmarks/target/benchmarks.jar
out_shown=${out#"$root"/}

# ---------------------------------------------------------------------------------------------------------- helpers

# Quotes arguments for display (copy-pastable into a shell).
shell_quote() {
  local a q=()
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./=,:+@%-]+$ ]]; then
      q+=("$a")
    else
      q+=("'${a//\'/\'\\\'\'}'")
    fi
  done
  printf '%s' "${q[*]}"
}

# A JSON string literal.
json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\t'/\\t}
  s=${s//$'\r'/}
  s=${s//$'\n'/\\n}
  printf '"%s"' "$s"
}

loadavg() {
  if [ -r /proc/loadavg ]; then
    cut -d' ' -f1-3 /proc/loadavg
  else
    uptime | sed 's/.*load averages*: *//; s/,//g'
  fi
}

# ------------------------------------------------------------------------------------------------------------ build

stale_because() {
  if [ ! -f "$jar" ]; then
    echo "$jar is missing"
    return
  fi
  local newer
  newer=$(find . \( -name target -o -name .git -o -path ./samples -o -path ./benchmarks/results \) -prune -o \
    -type f \( -path '*/src/main/*' -o -name pom.xml \) -newer "$jar" -print -quit)
  if [ -n "$newer" ]; then
    echo "${newer#./} is newer than $jar"
  fi
}

reason=$(stale_because)
if [ -n "$reason" ]; then
  echo "run-suite: building the benchmark jar ($reason)"
  build_start=$(date +%s)
  ./mvnw -B -ntp -pl benchmarks -am package -DskipTests -DskipITs >"$out/build.log" 2>&1 || {
    echo "run-suite: the build failed; see $out_shown/build.log" >&2
    tail -30 "$out/build.log" >&2
    exit 1
  }
  echo "run-suite: built in $(($(date +%s) - build_start)) s"
  rm -f "$out/build.log"
fi

# ------------------------------------------------------------------------------------------------------ results dir

shopt -s nullglob
previous=("$out"/*)
if [ ${#previous[@]} -gt 0 ] && [ ! -f "$out/machine.json" ]; then
  echo "run-suite: $out_shown has files but no machine.json: not a suite results directory; choose another --out" >&2
  exit 2
fi
rm -f "$out"/*.json "$out"/*.txt "$out"/*.svg "$out"/summary.md
shopt -u nullglob
# marks the directory as the suite's at once (an interrupted run can be re-run into it); rewritten at the end
printf '{"kind": "suite-machine", "mode": "%s", "date": "%s", "parts": []}\n' "$mode" \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$out/machine.json"

classes=$(mktemp)
trap 'rm -f "$classes"' EXIT
unzip -Z1 "$jar" 'io/meshsdk/*' >"$classes" 2>/dev/null || jar tf "$jar" >"$classes"

has_class() {
  grep -qx "${1//.//}.class" "$classes"
}

# ------------------------------------------------------------------------------------------------------------ parts

# JMH options per kind of part and mode: forks, warm-up and measured iterations, iteration time. Full stays under
# ~15 minutes on 2 vCPUs with every part present, quick under ~3 (see the elapsed times each run prints).
if [ "$mode" = full ]; then
  jmh_pipeline=(-f 1 -wi 3 -w 1s -i 5 -r 1s)
  jmh_short=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
  # Spring contexts: the first seconds of a fork are JIT compilation, hence 2 s warm-up iterations
  jmh_spring=(-f 1 -wi 3 -w 2s -i 5 -r 1s)
else
  jmh_pipeline=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
  jmh_short=(-f 1 -wi 1 -w 1s -i 1 -r 1s)
  jmh_spring=(-f 1 -wi 2 -w 1s -i 2 -r 1s)
fi

parts_json=()
failed=()
suite_start=$(date +%s)
load_before=$(loadavg)
date_start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
part_no=0
lock_waited=0

record() { # name status seconds command note
  parts_json+=("{\"name\": $(json_str "$1"), \"status\": $(json_str "$2"), \"seconds\": $3, \"command\": $(json_str "$4"), \"note\": $(json_str "$5")}")
}

selected() {
  [ -z "$only" ] || [[ $1 =~ $only ]]
}

skip() { # name class
  part_no=$((part_no + 1))
  printf '[%2d] %-34s skipped: %s is not in the jar (yet)\n' "$part_no" "$1" "$2"
  record "$1" skipped 0 "" "$2 is not in the jar"
}

# run_part NAME OUTPUT_TXT command...: runs it, output to the text file; records time and status
run_part() {
  local name=$1 txt=$2
  shift 2
  part_no=$((part_no + 1))
  local shown start status=0 note=""
  shown=$(shell_quote "$@")
  shown=${shown//"$out"/$out_shown}
  printf '[%2d] %-34s ' "$part_no" "$name"
  local waited=0
  while :; do
    start=$(date +%s)
    status=0
    "$@" >"$txt" 2>&1 || status=$?
    # JMH refuses to run while another JMH run (another user's) holds its lock: wait for it rather than measure both
    if [ $status -ne 0 ] && [ $waited -lt "$lock_wait" ] && grep -q 'Unable to acquire the JMH lock' "$txt"; then
      [ $waited -gt 0 ] || printf '(waiting for another JMH run to finish) '
      sleep 10
      waited=$((waited + 10))
      lock_waited=$((lock_waited + 10))
      continue
    fi
    break
  done
  local seconds=$(($(date +%s) - start))
  [ $waited -eq 0 ] || note="waited ~$waited s for another JMH run first"
  if [ $status -ne 0 ] && grep -q 'Unable to acquire the JMH lock' "$txt"; then
    note="another JMH run held its lock (/tmp/jmh.lock) for more than $lock_wait s"
  elif [ $status -ne 0 ]; then
    note="exit status $status, see ${txt##*/}"
  elif grep -q '^<failure>' "$txt"; then
    status=1
    note="a benchmark threw, see ${txt##*/}"
  fi
  if [ $status -eq 0 ]; then
    printf 'ok      %4d s\n' "$seconds"
    record "$name" ok "$seconds" "$shown" "$note"
  else
    printf 'FAILED  %4d s  (%s)\n' "$seconds" "$note"
    record "$name" failed "$seconds" "$shown" "$note"
    failed+=("$name")
  fi
}

# jmh NAME CLASS REGEX [options...]: one JMH run of the class's benchmarks matching REGEX, JSON to NAME.json
jmh() {
  local name=$1 class=io.meshsdk.benchmarks.$2 regex=$3
  shift 3
  selected "$name" || return 0
  if ! has_class "$class"; then
    skip "$name" "$class"
    return 0
  fi
  run_part "$name" "$out/$name.txt" "$java" -jar "$jar" "$regex" "$@" -rf json -rff "$out/$name.json"
}

# plain_main NAME CLASS [jvm options...] -- [args...]: a plain main, its output to NAME.txt
plain_main() {
  local name=$1 class=$2
  shift 2
  selected "$name" || return 0
  if ! has_class "$class"; then
    skip "$name" "$class"
    return 0
  fi
  local jvm=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    jvm+=("$1")
    shift
  done
  [ $# -gt 0 ] && shift
  # the mains' own tables only: the mesh's INFO lines (one per service routed) would bury them
  run_part "$name" "$out/$name.txt" "$java" ${jvm[@]+"${jvm[@]}"} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar" \
    "$class" "$@"
}

echo "run-suite: $mode run, results in $out_shown"

# 1. Pipeline overhead over a canned transport. When the benchmark has an "observer" parameter, the main run pins its
#    first value and the other values run in their own JMH run, meshClient only (OkHttp alone does not depend on it).
observers=$("$java" -jar "$jar" -lp 'MeshPipelineBenchmark\.meshClient$' 2>/dev/null \
  | sed -n 's/^ *param "observer" = {\(.*\)}$/\1/p' | head -1 || true)
pin_observer=()
if [ -n "$observers" ]; then
  pin_observer=(-p "observer=${observers%%,*}")
fi
if [ "$mode" = full ]; then
  pipeline_regex='MeshPipelineBenchmark\.(plainClient|meshClient|meshPassThrough|plainClientDistinctUrls|meshClientDistinctUrls)$'
else
  pipeline_regex='MeshPipelineBenchmark\.(plainClient|meshClient)$'
fi
jmh MeshPipelineBenchmark MeshPipelineBenchmark "$pipeline_regex" -p policy=least-request ${pin_observer[@]+"${pin_observer[@]}"} \
  -prof gc "${jmh_pipeline[@]}"
if [[ $observers == *,* ]]; then
  # the other observer values (the first one ran above)
  other_observers=${observers#*,}
  other_observers=${other_observers// /}
  jmh MeshPipelineBenchmark-observer MeshPipelineBenchmark 'MeshPipelineBenchmark\.meshClient$' -p policy=least-request \
    -p "observer=$other_observers" -prof gc "${jmh_pipeline[@]}"
fi
if [ "$mode" = full ]; then
  jmh RejectionBenchmark RejectionBenchmark 'RejectionBenchmark\.' -prof gc "${jmh_short[@]}"
else
  jmh RejectionBenchmark RejectionBenchmark 'RejectionBenchmark\.(breakerOpen|newCircuitOpenException|filledIoException)$' \
    -p depth=60 -prof gc "${jmh_short[@]}"
fi

# 2. The peers, in the same run. Quick mode: the rows the goals compare (each variant is a fork that starts two Spring
#    contexts, ~9 s), without the per-call-URL OkHttp floor.
if [ "$mode" = full ]; then
  peer_regex='PeerPipelineBenchmark\.'
else
  peer_regex='PeerPipelineBenchmark\.(bareOkHttp|meshOkHttp|springCloudTuned|springCloudDefaults)$'
fi
jmh PeerPipelineBenchmark PeerPipelineBenchmark "$peer_regex" -prof gc "${jmh_spring[@]}"
if [ "$mode" = full ]; then
  jmh SpringRestClientPeerBenchmark SpringRestClientPeerBenchmark 'SpringRestClientPeerBenchmark\.' -prof gc \
    "${jmh_spring[@]}"
elif has_class io.meshsdk.benchmarks.PeerPipelineBenchmark; then
  # three Spring contexts per fork take ~10 s to start: quick mode leaves the RestClient peers to the full run
  if selected SpringRestClientPeerBenchmark; then
    part_no=$((part_no + 1))
    printf '[%2d] %-34s skipped: quick mode (PeerPipelineBenchmark compares the peers; the full run has both)\n' \
      "$part_no" SpringRestClientPeerBenchmark
    record SpringRestClientPeerBenchmark skipped 0 "" "quick mode: PeerPipelineBenchmark compares the peers"
  fi
else
  jmh SpringRestClientPeerBenchmark SpringRestClientPeerBenchmark \
    'SpringRestClientPeerBenchmark\.(bareRestClient|meshRestClient|springCloudLoadBalancedTuned)$' -prof gc \
    "${jmh_spring[@]}"
fi

# 3. Loopback end to end (writes loopback.json itself).
plain_main loopback io.meshsdk.benchmarks.loopback.LoopbackComparison -- "$mode" "$out"

# 4. Scale: pick cost by endpoint count, the snapshot swap, the discovery footprint.
if [ "$mode" = full ]; then
  jmh LoadBalancerPickBenchmark LoadBalancerPickBenchmark 'LoadBalancerPickBenchmark\.' \
    -p endpoints=10,1000,10000,100000 -prof gc "${jmh_short[@]}"
  plain_main SnapshotSwap io.meshsdk.benchmarks.SnapshotSwap -Xms1g -Xmx1g -- 10 25 40
  plain_main DirectoryFootprint io.meshsdk.benchmarks.DirectoryFootprint -Xms1g -Xmx1g -XX:+UseSerialGC -- 1000 100
else
  # the goal's balancer (least-request) and the simplest, at the goal's two sizes
  jmh LoadBalancerPickBenchmark LoadBalancerPickBenchmark 'LoadBalancerPickBenchmark\.' \
    -p endpoints=10,10000 -p balancer=round-robin,least-request -prof gc "${jmh_short[@]}"
  plain_main SnapshotSwap io.meshsdk.benchmarks.SnapshotSwap -Xms1g -Xmx1g -- 2 10 40
  plain_main DirectoryFootprint io.meshsdk.benchmarks.DirectoryFootprint -Xms1g -Xmx1g -XX:+UseSerialGC -- 250 100
fi

# 5. Access policy: one decision with 100 rules (issue 13).
if [ "$mode" = full ]; then
  jmh PolicyDecisionBenchmark PolicyDecisionBenchmark 'PolicyDecisionBenchmark\.' -prof gc "${jmh_pipeline[@]}"
else
  jmh PolicyDecisionBenchmark PolicyDecisionBenchmark 'PolicyDecisionBenchmark\.' -prof gc "${jmh_short[@]}"
fi

# ---------------------------------------------------------------------------------------------- machine and report

elapsed=$(($(date +%s) - suite_start))
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit-dirty"
fi
parts_joined=$(IFS=,; printf '%s' "${parts_json[*]-}")
{
  printf '{\n'
  printf '  "kind": "suite-machine",\n'
  printf '  "mode": %s,\n' "$(json_str "$mode")"
  printf '  "date": %s,\n' "$(json_str "$date_start")"
  printf '  "javaVersion": %s,\n' "$(json_str "$("$java" -version 2>&1)")"
  printf '  "nproc": %s,\n' "$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
  printf '  "cpuModel": %s,\n' "$(json_str "$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -1)")"
  printf '  "os": %s,\n' "$(json_str "$(uname -srm)")"
  printf '  "loadAverageBefore": %s,\n' "$(json_str "$load_before")"
  printf '  "loadAverageAfter": %s,\n' "$(json_str "$(loadavg)")"
  printf '  "gitCommit": %s,\n' "$(json_str "$commit")"
  printf '  "elapsedSeconds": %s,\n' "$elapsed"
  printf '  "parts": [%s]\n' "$parts_joined"
  printf '}\n'
} >"$out/machine.json"

waiting=
[ $lock_waited -eq 0 ] || waiting=", of which ~$lock_waited s waiting for other JMH runs"
echo "run-suite: all parts in $elapsed s ($((elapsed / 60)) min $((elapsed % 60)) s$waiting);" \
  "load average $load_before -> $(loadavg)"
"$java" -cp "$jar" io.meshsdk.benchmarks.report.SuiteReport "$out" | sed "s|$out|$out_shown|"
if [ ${#failed[@]} -gt 0 ]; then
  echo "run-suite: failed: ${failed[*]}" >&2
  exit 1
fi
