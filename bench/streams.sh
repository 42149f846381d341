#!/usr/bin/env bash
# Stream state benchmark (issue 30): how the stream state scales.
#  1. the store with 100,000 online streams and 10 million closed sequences, local (H2) and shared (PostgreSQL):
#     GET /api/streams (a page) and GET /api/streams/{stream} over HTTP, p50/p99; the heap
#  2. the packaged gateway (prod profile, the real RabbitMQ, the local store): 10,000 push/interruption pairs posted
#     in random order and 5,000 pushes alone: the time until the API shows exactly the 5,000 online; the gateway's
#     CPU and RSS
# Needs PostgreSQL (127.0.0.1:5432, user postgres, database test) and RabbitMQ (127.0.0.1:5672); uses tables, an
# exchange and queues of its own and removes them. Sends traffic only to 127.0.0.1. Output in bench/out/streams-*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

ONLINE=${BENCH_STREAMS_ONLINE:-100000}
CLOSED=${BENCH_STREAMS_CLOSED:-10000000}
PAIRS=${BENCH_STREAMS_PAIRS:-10000}
OUT=bench/out
mkdir -p "$OUT"
(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null || { echo "PostgreSQL is not listening on 127.0.0.1:5432" >&2; exit 1; }
(exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null || { echo "RabbitMQ is not listening on 127.0.0.1:5672" >&2; exit 1; }

echo "== building"
mvn -B -q package -DskipTests
JAR=target/css-callback-gateway.jar
bench() { java -Xmx256m -cp "$JAR" bench/StreamsBench.java "$@" | grep -v ' INFO \| WARN '; }

echo "== the store: $ONLINE online streams, $CLOSED closed sequences (a heap of 256 MB)"
bench store h2 "$ONLINE" "$CLOSED" | tee "$OUT/streams-store-h2.txt"
bench store pg "$ONLINE" "$CLOSED" | tee "$OUT/streams-store-pg.txt"

echo "== a burst of $PAIRS push/interruption pairs in random order, against the packaged gateway"
KEY="bench-key-$RANDOM$RANDOM"
EXCHANGE="css.events.streams-bench-$RANDOM"
DATA=$(mktemp -d)
PORT=18180
MANAGEMENT=19876
CSS_CALLBACK_KEYS=$KEY java -XX:+UseParallelGC -Xms256m -Xmx384m -Dcamel.server.port=$PORT \
    -Dcamel.server.host=127.0.0.1 -Dcamel.management.port=$MANAGEMENT -Dcamel.management.host=127.0.0.1 \
    -Dgateway.rabbitmq.exchange=$EXCHANGE -Dgateway.dedup.file=$DATA/seen.txt -Dgateway.audit.dir=$DATA/audit \
    -Dgateway.spool.dir=$DATA/spool -Dgateway.streams.dir=$DATA/streams -jar "$JAR" > "$OUT/streams-gateway.log" 2>&1 &
GW=$!
cleanup() {
    kill $GW 2>/dev/null || true
    wait $GW 2>/dev/null || true
    java -cp "$JAR" bench/BenchTool.java queue-delete "$EXCHANGE.unrouted" "$EXCHANGE.streams" >/dev/null 2>&1 || true
    java -cp "$JAR" bench/BenchTool.java exchange-delete "$EXCHANGE" "$EXCHANGE.unrouted" >/dev/null 2>&1 || true
    rm -rf "$DATA"
}
trap cleanup EXIT
for _ in $(seq 1 120); do grep -q "started in" "$OUT/streams-gateway.log" && break; sleep 0.5; done
cpu0=$(awk '{print $14 + $15}' /proc/$GW/stat)
bench burst "http://127.0.0.1:$PORT/callbacks/tencent/css" $MANAGEMENT "$KEY" "$PAIRS" | tee "$OUT/streams-burst.txt"
cpu1=$(awk '{print $14 + $15}' /proc/$GW/stat)
rss=$(awk '/VmHWM/ {print int($2 / 1024)}' /proc/$GW/status)
echo "gateway: $(( (cpu1 - cpu0) / 100 )) CPU seconds for the burst and its state, peak RSS $rss MiB" \
    | tee -a "$OUT/streams-burst.txt"
