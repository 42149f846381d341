#!/usr/bin/env bash
# Tenants benchmark (issue 33): what keys bound to push domains cost the request path, in one sitting.
# Measures the publish-only ceiling, then the gateway (prod profile, the real RabbitMQ at 127.0.0.1:5672) flat out in
# three configurations, interleaved over ROUNDS rounds (A B C A B C ...):
#   flat-1    the flat list, one key (CSS_CALLBACK_KEYS): the gateway as bench/run.sh measures it
#   bound-1   one tenant owning the callbacks' domain, its one key: what the tenant steps cost (its lookup, its
#             allow-list and rate-limit checks, its routing-key prefix, css_tenant, the audit field, the metric label)
#   bound-50  50 tenants, each with its own key and push domains (exact names and *. patterns); the callbacks are
#             for one tenant's domain: a tenant lookup and the one key of that tenant
#   flat-50   the flat list with the same 50 keys, the matching one last: what 50 templates cost without tenants
# For each: req/s and its ratio to publish-only, CPU per event. Sends traffic only to 127.0.0.1; every load stops by
# itself. Takes about 11 minutes (ROUNDS=2).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_STEADY=${BENCH_SECONDS:-20}
SECONDS_WARM_UP=${BENCH_WARM_UP_SECONDS:-30}
ROUNDS=${BENCH_ROUNDS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-128}
JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx384m}
HTTP_PORT=18080
RUN_ID=$(date +%s)
EXCHANGE=css.events.bench-tenants
UNROUTED=css.unrouted.bench-tenants
QUEUE=css.bench.tenants
OUT=bench/out/tenants
rm -rf "$OUT" && mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
(exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null || { echo "RabbitMQ is not listening on 127.0.0.1:5672" >&2; exit 1; }

echo "== building"
mvn -B -q package -DskipTests
JAR=target/css-callback-gateway.jar
tool() { java -cp "$JAR" bench/BenchTool.java "$@"; }
side_tool() { exec java -cp "$JAR" bench/BenchTool.java "$@"; }

# 50 keys of the provider's kind (32 letters and digits); the callbacks are signed with the last
KEYS=()
for i in $(seq -w 1 50); do KEYS+=("BenchTenant${i}$(printf '%s' "$RUN_ID$i" | md5sum | cut -c1-19)"); done
KEY=${KEYS[49]}
T=$(( $(date +%s) + 7200 ))
SIGN=$(printf '%s%s' "$KEY" "$T" | md5sum | cut -d' ' -f1)

GW_PID=
SIDE_PIDS=()
cleanup() {
    [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null || true
    for p in "${SIDE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    tool queue-delete "$QUEUE" "$UNROUTED" >/dev/null 2>&1 || true
    tool exchange-delete "$EXCHANGE" "$UNROUTED" >/dev/null 2>&1 || true
}
trap cleanup EXIT

load() { # load NAME DURATION -> the RESULT json in $OUT/NAME.json
    T=$T SIGN=$SIGN MODE=push RUN="$RUN_ID$RANDOM" DELAY_MS=0 \
        wrk -t2 -c"$CONNECTIONS" -d"$2" --timeout 30s -s bench/wrk/callbacks.lua "http://127.0.0.1:$HTTP_PORT" \
        > "$OUT/$1.txt" 2>&1
    grep '^RESULT' "$OUT/$1.txt" | sed 's/^RESULT //' > "$OUT/$1.json"
}
cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$GW_PID/stat"; }

# start_gateway NAME [VAR=value ...] -- [-Dkey=value ...]: waits for its first 200 (a push signed with KEY)
start_gateway() {
    local name=$1; shift
    local environment=()
    while [ "$1" != "--" ]; do environment+=("$1"); shift; done; shift
    env "${environment[@]}" java $JAVA_OPTS -Dcamel.server.port=$HTTP_PORT -Dcamel.server.host=127.0.0.1 \
        -Dgateway.rabbitmq.exchange=$EXCHANGE -Dgateway.rabbitmq.alternate-exchange=$UNROUTED \
        -Dgateway.rabbitmq.unrouted-queue=$UNROUTED -Dgateway.dedup.file=$OUT/data/$name/seen.txt \
        -Dgateway.audit.dir=$OUT/data/$name/audit -Dgateway.spool.dir=$OUT/data/$name/spool \
        -Dgateway.alert.undelivered-dir=$OUT/data/$name/undelivered -Dgateway.streams.dir=$OUT/data/$name/streams \
        -Dgateway.audit.index.dir=$OUT/data/$name/audit-index -Dgateway.streams.enabled=false \
        "$@" -jar "$JAR" > "$OUT/gateway-$name.log" 2>&1 &
    GW_PID=$!
    for _ in $(seq 1 600); do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data \
            "{\"event_type\":1,\"sequence\":\"first-$RANDOM$RANDOM\",\"app\":\"bench.example.com\",\"t\":$T,\"sign\":\"$SIGN\"}" \
            "http://127.0.0.1:$HTTP_PORT/callbacks/tencent/css" || true)
        if [ "$code" = 200 ]; then return; fi
        sleep 0.05
    done
    echo "gateway $name did not answer 200; see $OUT/gateway-$name.log" >&2; exit 1
}
stop_gateway() { kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=; }
# measure NAME: warm-up, then measured flat out; "rps cpu_us_per_event" appended to $OUT/NAME.results
measure() {
    load "$1-warm-up" "${SECONDS_WARM_UP}s"
    local cpu0=$(cpu_seconds)
    load "$1-$round" "${SECONDS_STEADY}s"
    local cpu1=$(cpu_seconds)
    python3 -c "import json;r=json.load(open('$OUT/$1-$round.json'));print(round(r['rps']), round(($cpu1-$cpu0)/r['ok']*1e6))" \
        | tee -a "$OUT/$1.results"
}

# the 50 tenants: t01..t49 own t<i>.example.org and *.t<i>.example.net, t50 owns bench.example.com (the callbacks')
TENANT_OPTS=("-Dgateway.tenants=$(seq -s, -f 't%02g' 1 50)")
TENANT_ENV=()
for i in $(seq 1 50); do
    n=$(printf 't%02d' "$i")
    domains="$n.example.org, *.$n.example.net"
    [ "$i" = 50 ] && domains="bench.example.com, *.$n.example.net"
    TENANT_OPTS+=("-Dgateway.tenant.$n.domains=$domains" "-Dgateway.tenant.$n.keys={{env:CSS_CALLBACK_KEYS_T${n#t}:}}")
    TENANT_ENV+=("CSS_CALLBACK_KEYS_T${n#t}=${KEYS[$((i - 1))]}")
done
FLAT_50=$(IFS=,; echo "${KEYS[*]}")

echo "== publish-only ceiling (a platform-http route that publishes the body with the gateway's publish step)"
round=1
start_gateway publish-only CSS_CALLBACK_KEYS=$KEY -- -Dcamel.main.routes-include-pattern=file:bench/publish-only.camel.yaml
tool queue-bind "$EXCHANGE" "$QUEUE" '#'
echo 0 > "$OUT/consumed.txt"
side_tool consume "$QUEUE" "$OUT/consumed.txt" > "$OUT/consumer.log" 2>&1 & SIDE_PIDS+=($!)
sleep 2
echo -n "   "; measure publish-only
stop_gateway

for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round: flat-1"
    start_gateway flat-1 CSS_CALLBACK_KEYS=$KEY --
    echo -n "   "; measure flat-1; stop_gateway
    echo "== round $round: bound-1"
    start_gateway bound-1 "CSS_CALLBACK_KEYS_T50=$KEY" -- "-Dgateway.tenants=t50" \
        "-Dgateway.tenant.t50.domains=bench.example.com" "-Dgateway.tenant.t50.keys={{env:CSS_CALLBACK_KEYS_T50:}}"
    echo -n "   "; measure bound-1; stop_gateway
    echo "== round $round: bound-50"
    start_gateway bound-50 "${TENANT_ENV[@]}" -- "${TENANT_OPTS[@]}"
    grep -q 'Tenant t50: domains \[bench.example.com' "$OUT/gateway-bound-50.log"
    echo -n "   "; measure bound-50; stop_gateway
    echo "== round $round: flat-50"
    start_gateway flat-50 CSS_CALLBACK_KEYS=$FLAT_50 --
    echo -n "   "; measure flat-50; stop_gateway
done

python3 - "$OUT" <<'PY'
import statistics, sys
out = sys.argv[1]
read = lambda n: [tuple(map(int, l.split())) for l in open(f"{out}/{n}.results")]
publish = read("publish-only")[0][0]
rows = ["| configuration | req/s (each round) | of publish-only (median) | CPU-us per event (each round) |", "|---|---|---|---|"]
rows.append(f"| publish-only | {publish} | 100% | {read('publish-only')[0][1]} |")
for name in ("flat-1", "bound-1", "bound-50", "flat-50"):
    r = read(name)
    rows.append(f"| {name} | {', '.join(str(x[0]) for x in r)} | {statistics.median(x[0] for x in r) / publish * 100:.0f}% "
                f"| {', '.join(str(x[1]) for x in r)} |")
table = "\n".join(rows)
open(f"{out}/results.md", "w").write(table + "\n")
print("\n" + table)
PY
echo "(details: $OUT/)"
