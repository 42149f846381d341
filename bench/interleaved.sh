#!/usr/bin/env bash
# The gateway against the broker, interleaved (issue 35, target 1): one gateway, warmed up, then ROUNDS rounds of
# the gateway flat out for BENCH_SECONDS (wrk, 128 connections, a new push each request, its queue consumed) and
# PerfTest for as long (8 producers, 32 confirms in flight each, persistent 450-byte messages, one consumer with
# automatic acknowledgements, as the gateway's consumer here), in
# turn, so that both meet the same host minute by minute. Prints each round's ratio and the median.
# Needs RabbitMQ (127.0.0.1:5672) and wrk; uses an exchange and queues of its own and removes them. About 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_SLICE=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_WARM_UP=${BENCH_WARM_UP_SECONDS:-60}
# the JVM options and malloc arenas README.md recommends
JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:+UseSerialGC -Xms112m -Xmx112m -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1}
MALLOC_ARENAS=${BENCH_MALLOC_ARENA_MAX-2}
HTTP_PORT=18080
MGMT_PORT=19876
KEY="bench-key-$RANDOM$RANDOM"
EXCHANGE=css.events.interleaved
UNROUTED=css.unrouted.interleaved
QUEUE=css.interleaved.events
OUT=bench/out/interleaved
rm -rf "$OUT" && mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
(exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null || { echo "RabbitMQ is not listening on 127.0.0.1:5672" >&2; exit 1; }

echo "== building"
mvn -B -q package -DskipTests
(cd bench/perf-test && mvn -B -q dependency:build-classpath -Dmdep.outputFile=../out/interleaved/perftest.cp)
JAR=target/css-callback-gateway.jar
tool() { java -cp "$JAR" bench/BenchTool.java "$@"; }
T=$(( $(date +%s) + 7200 ))
SIGN=$(printf '%s%s' "$KEY" "$T" | md5sum | cut -d' ' -f1)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    tool queue-delete "$QUEUE" "$UNROUTED" perftest-interleaved "$EXCHANGE.heartbeats" >/dev/null 2>&1 || true
    tool exchange-delete "$EXCHANGE" "$UNROUTED" >/dev/null 2>&1 || true
}
trap cleanup EXIT
load() { # NAME SECONDS -> req/s
    T=$T SIGN=$SIGN MODE=push RUN="i$RANDOM$RANDOM" DELAY_MS=0 \
        wrk -t2 -c128 -d"$2s" --timeout 30s -s bench/wrk/callbacks.lua "http://127.0.0.1:$HTTP_PORT" > "$OUT/$1.txt" 2>&1
    grep '^RESULT' "$OUT/$1.txt" | sed 's/^RESULT //' | python3 -c "import json,sys;print(round(json.load(sys.stdin)['rps']))"
}

env ${MALLOC_ARENAS:+MALLOC_ARENA_MAX=$MALLOC_ARENAS} CSS_CALLBACK_KEYS=$KEY java $JAVA_OPTS -Dcamel.server.port=$HTTP_PORT -Dcamel.server.host=127.0.0.1 \
    -Dcamel.management.port=$MGMT_PORT -Dgateway.rabbitmq.exchange=$EXCHANGE \
    -Dgateway.rabbitmq.alternate-exchange=$UNROUTED -Dgateway.rabbitmq.unrouted-queue=$UNROUTED \
    -Dgateway.dedup.file=$OUT/data/seen.txt -Dgateway.audit.dir=$OUT/data/audit -Dgateway.spool.dir=$OUT/data/spool \
    -Dgateway.alert.undelivered-dir=$OUT/data/undelivered -Dgateway.streams.enabled=false \
    -Dgateway.audit.index.dir=$OUT/data/audit-index -jar "$JAR" > "$OUT/gateway.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$MGMT_PORT/observe/health/ready" && break; sleep 0.1; done
tool queue-bind "$EXCHANGE" "$QUEUE" '#' > /dev/null
echo 0 > "$OUT/consumed.txt"
java -cp "$JAR" bench/BenchTool.java consume "$QUEUE" "$OUT/consumed.txt" > "$OUT/consumer.log" 2>&1 &
PIDS+=($!)
echo "== warm-up: ${SECONDS_WARM_UP}s"
load warm-up "$SECONDS_WARM_UP" > /dev/null
: > "$OUT/rounds.txt"
for round in $(seq 1 "$ROUNDS"); do
    gateway=$(load "gateway-$round" "$SECONDS_SLICE")
    java -cp "$(cat $OUT/perftest.cp)" com.rabbitmq.perf.PerfTest -h amqp://guest:guest@127.0.0.1:5672 -x 8 -y 1 -a \
        -s 450 -f persistent -c 32 -z "$SECONDS_SLICE" -u perftest-interleaved -ad false > "$OUT/perftest-$round.txt" 2>&1
    broker=$(grep 'sending rate avg' "$OUT/perftest-$round.txt" | grep -o '[0-9]* msg/s' | grep -o '[0-9]*')
    echo "$gateway $broker" >> "$OUT/rounds.txt"
    echo "   round $round: gateway $gateway req/s, PerfTest $broker msg/s"
done
python3 - "$OUT/rounds.txt" <<'PY'
import statistics, sys
rounds = [tuple(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
ratios = [g / b for g, b in rounds]
print("ratios " + ", ".join(f"{r:.2f}" for r in ratios) + f"; median {statistics.median(ratios):.2f}")
PY
