#!/usr/bin/env bash
# Benchmark: how fast the gateway runs beside the ceilings it sits between, on this machine, in one run.
# Builds the jar, measures RabbitMQ's own confirmed-publish ceiling (PerfTest), the bare HTTP ceiling and the
# publish-only ceiling (HTTP in, the gateway's publish step, answer), then the gateway (prod profile, the
# real RabbitMQ at 127.0.0.1:5672): steady load, a burst of interruptions, retries, a 30 s broker outage.
# Prints a table; details in bench/out/.
# Sends traffic only to 127.0.0.1; every load stops by itself. Takes about 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_STEADY=${BENCH_SECONDS:-20}
# the C2 compiler keeps a core busy for about a minute of load: measure the gateway as it runs for days
SECONDS_WARM_UP=${BENCH_WARM_UP_SECONDS:-60}
CONNECTIONS=${BENCH_CONNECTIONS:-128}
# the JVM options README.md recommends for a deployment: a 112 MB heap with the serial collector, Netty's buffers in
# one pool (bench/README.md, "The process' size"); before issue 35, -XX:+UseParallelGC -Xms256m -Xmx384m
JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:+UseSerialGC -Xms112m -Xmx112m -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1}
# glibc's malloc arenas for the gateway (MALLOC_ARENA_MAX), as README.md recommends; empty: glibc's default (8 per core)
MALLOC_ARENAS=${BENCH_MALLOC_ARENA_MAX-2}
# the type of the gateway's own queues (gateway.rabbitmq.queue-type): quorum, as docs/deploying.md recommends for the
# alert queue, whose unacknowledged messages RabbitMQ confirms at its log's write, not at a classic queue's timed sync
QUEUE_TYPE=${BENCH_QUEUE_TYPE:-quorum}
# the burst: connections, each waiting this long after an answer (asks about 2,000/s at the answer times seen)
BURST_CONNECTIONS=${BENCH_BURST_CONNECTIONS:-256}
BURST_DELAY_MS=${BENCH_BURST_DELAY_MS:-100}
# the stream state is off here: this load makes every push a new stream that never ends, thousands a second, which
# no account sends; its own cost is measured by bench/streams.sh (BENCH_STREAMS=true turns it on here)
STREAMS=${BENCH_STREAMS:-false}
# a ratio (0.1): the gateway traced (docs/tracing.md), that share of callbacks sampled, its spans exported to a local
# OTLP collector that takes them (BenchTool otlp-sink); empty: tracing off, as by default
TRACING=${BENCH_TRACING:-}
OTLP_PORT=14318
HTTP_PORT=18080
SMTP_PORT=12525
PROXY_PORT=15673
KEY="bench-key-$RANDOM$RANDOM"
RUN_ID=$(date +%s)
EXCHANGE=css.events.bench
UNROUTED=css.unrouted.bench
QUEUE=css.bench.events
ALERTS=css.alerts.bench
OUT=bench/out
rm -rf "$OUT" && mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed for the results table" >&2; exit 1; }
(exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null || { echo "RabbitMQ is not listening on 127.0.0.1:5672" >&2; exit 1; }

echo "== building"
mvn -B -q package -DskipTests
(cd bench/perf-test && mvn -B -q dependency:build-classpath -Dmdep.outputFile=../out/perftest.cp)
JAR=target/css-callback-gateway.jar
tool() { java -cp "$JAR" bench/BenchTool.java "$@"; }
# for the tools that run beside the load (consumer, SMTP sink, proxy): exec, so that $! is the java process
# itself and the cleanup stops it (a subshell's pid would leave java running after the bench)
side_tool() { exec java -cp "$JAR" bench/BenchTool.java "$@"; }

T=$(( $(date +%s) + 7200 ))
SIGN=$(printf '%s%s' "$KEY" "$T" | md5sum | cut -d' ' -f1)
GW_PID=
SIDE_PIDS=()
cleanup() {
    [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null || true
    for p in "${SIDE_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    tool queue-delete "$QUEUE" "$ALERTS" "$UNROUTED" "$EXCHANGE.streams" "$EXCHANGE.heartbeats" perftest-bench \
        >/dev/null 2>&1 || true
    tool exchange-delete "$EXCHANGE" "$UNROUTED" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# wrk NAME MODE CONNECTIONS DURATION DELAY_MS -> prints the RESULT json
load() {
    T=$T SIGN=$SIGN MODE=$2 RUN="$RUN_ID$RANDOM" DELAY_MS=$5 \
        wrk -t2 -c"$3" -d"$4" --timeout 30s -s bench/wrk/callbacks.lua "http://127.0.0.1:$HTTP_PORT" > "$OUT/$1.txt" 2>&1
    grep '^RESULT' "$OUT/$1.txt" | sed 's/^RESULT //' | tee "$OUT/$1.json"
}
# flat_out NAME: the running gateway flat out, SECONDS_STEADY to warm up and as long again measured -> req/s
flat_out() {
    load "$1-warm-up" push "$CONNECTIONS" "${SECONDS_STEADY}s" 0 > /dev/null
    load "$1" push "$CONNECTIONS" "${SECONDS_STEADY}s" 0 > /dev/null
    python3 -c "import json;print(round(json.load(open('$OUT/$1.json'))['rps']))"
}
cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$GW_PID/stat"; }
# events that reached the queue: taken by the bench's consumer, plus any still waiting in it
queue_count() { echo $(( $(cat "$OUT/consumed.txt") + $(tool queue-count "$QUEUE") )); }
spool_depth() { find "$OUT/data/spool" -name '*.event' 2>/dev/null | wc -l; }
push_body() {
    printf '{"event_type":1,"sequence":"first-%s-%s","stream_id":"first","app":"bench","t":%s,"sign":"%s"}' "$RUN_ID" "$RANDOM" "$T" "$SIGN"
}

# start_gateway NAME [-Dkey=value ...]: starts the jar, waits for its first 200; FIRST_200_MS = ms from start to it
start_gateway() {
    local name=$1; shift
    local start_ms=$(date +%s%3N)
    env ${MALLOC_ARENAS:+MALLOC_ARENA_MAX=$MALLOC_ARENAS} CSS_CALLBACK_KEYS=$KEY java $JAVA_OPTS -Dcamel.server.port=$HTTP_PORT \
        -Dcamel.server.host=127.0.0.1 -Dgateway.rabbitmq.queue-type=$QUEUE_TYPE \
        -Dgateway.rabbitmq.exchange=$EXCHANGE -Dgateway.rabbitmq.alternate-exchange=$UNROUTED \
        -Dgateway.rabbitmq.unrouted-queue=$UNROUTED -Dgateway.dedup.file=$OUT/data/dedup/seen.txt \
        -Dgateway.audit.dir=$OUT/data/audit -Dgateway.spool.dir=$OUT/data/spool \
        -Dgateway.alert.undelivered-dir=$OUT/data/undelivered -Dgateway.streams.dir=$OUT/data/streams \
        -Dgateway.audit.index.dir=$OUT/data/audit-index \
        -Dgateway.streams.enabled=$STREAMS "$@" -jar "$JAR" > "$OUT/gateway-$name.log" 2>&1 &
    GW_PID=$!
    for _ in $(seq 1 600); do
        code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
            --data "$(push_body)" "http://127.0.0.1:$HTTP_PORT/callbacks/tencent/css" || true)
        if [ "$code" = 200 ]; then FIRST_200_MS=$(( $(date +%s%3N) - start_ms )); return; fi
        sleep 0.05
    done
    echo "gateway $name did not answer 200; see $OUT/gateway-$name.log" >&2; exit 1
}
stop_gateway() { kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=; }
watch_rss() { # samples the gateway's RSS (MiB) every 0.5 s into $OUT/rss.txt until it ends
    (while kill -0 "$GW_PID" 2>/dev/null; do ps -o rss= -p "$GW_PID" >> "$OUT/rss.txt" 2>/dev/null || true; sleep 0.5; done) &
    SIDE_PIDS+=($!)
}

# 8 producers, as the gateway publishes on 8 channels: one producer measured a third less (6,729 vs 10,135
# msg/s), less than the gateway's own publisher got out of the same broker (bench/README.md, run 12)
echo "== anchor 1: RabbitMQ's confirmed-publish ceiling (PerfTest: 8 producers, 32 confirms in flight each, persistent 450-byte messages, durable queue)"
tool queue-delete perftest-bench >/dev/null 2>&1 || true
java -cp "$(cat $OUT/perftest.cp)" com.rabbitmq.perf.PerfTest -h amqp://guest:guest@127.0.0.1:5672 -x 8 -y 0 \
    -s 450 -f persistent -c 32 -z "$SECONDS_STEADY" -u perftest-bench -ad false > "$OUT/perftest.txt" 2>&1
BROKER_CEILING=$(grep 'sending rate avg' "$OUT/perftest.txt" | grep -o '[0-9]* msg/s' | grep -o '[0-9]*')
tool queue-delete perftest-bench >/dev/null
echo "   $BROKER_CEILING msg/s"

echo "== anchor 2: bare HTTP ceiling (a platform-http route that answers {\"code\":0})"
start_gateway bare -Dcamel.main.routes-include-pattern=file:bench/bare-http.camel.yaml
HTTP_CEILING=$(flat_out bare)
stop_gateway
echo "   $HTTP_CEILING req/s"

echo "== anchor 3: publish-only ceiling (a platform-http route that publishes the body with the gateway's publish step)"
start_gateway publish-only -Dcamel.main.routes-include-pattern=file:bench/publish-only.camel.yaml
tool queue-bind "$EXCHANGE" "$QUEUE" '#'
# a consumer takes the events, as in a deployment: a queue that only grows slows the broker's confirms;
# queue and consumer stay for the gateway's steps below
echo 0 > "$OUT/consumed.txt"
side_tool consume "$QUEUE" "$OUT/consumed.txt" > "$OUT/consumer.log" 2>&1 & SIDE_PIDS+=($!)
sleep 2
PUBLISH_CEILING=$(flat_out publish-only)
stop_gateway
echo "   $PUBLISH_CEILING req/s"

echo "== gateway (prod profile, alerts on with a 10 s window, SMTP sink on 127.0.0.1:$SMTP_PORT)"
side_tool smtp $SMTP_PORT "$OUT/mails.txt" > "$OUT/smtp.log" 2>&1 & SIDE_PIDS+=($!)
sleep 2
TRACING_OPTS=()
if [ -n "$TRACING" ]; then
    side_tool otlp-sink $OTLP_PORT "$OUT/otlp.txt" > "$OUT/otlp.log" 2>&1 & SIDE_PIDS+=($!)
    TRACING_OPTS=(-Dgateway.tracing.enabled=true -Dotel.exporter.otlp.endpoint=http://127.0.0.1:$OTLP_PORT
        -Dotel.traces.sampler=parentbased_traceidratio -Dotel.traces.sampler.arg=$TRACING)
    echo "   traced: a ratio of $TRACING sampled, exported to 127.0.0.1:$OTLP_PORT"
    sleep 1
fi
start_gateway main "${TRACING_OPTS[@]}" -Dgateway.alert.enabled=true -Dgateway.alert.from=bench@localhost \
    -Dgateway.alert.to=oncall@localhost -Dgateway.alert.to.third-party-auth=security@localhost \
    -Dgateway.alert.smtp.host=127.0.0.1 -Dgateway.alert.smtp.port=$SMTP_PORT -Dgateway.alert.window-seconds=10 \
    -Dgateway.alert.queue=$ALERTS
echo "   start to first 200: $FIRST_200_MS ms"
watch_rss

echo "== warm-up: ${SECONDS_WARM_UP}s of load, not measured (the JIT compiler takes a core for a while)"
load warm-up push "$CONNECTIONS" "${SECONDS_WARM_UP}s" 0 > /dev/null

echo "== (a) steady: saturation, $CONNECTIONS connections, ${SECONDS_STEADY}s"
before_q=$(queue_count); cpu0=$(cpu_seconds)
load steady-saturation push "$CONNECTIONS" "${SECONDS_STEADY}s" 0
cpu1=$(cpu_seconds); sleep 2; after_q=$(queue_count)
echo "$before_q $after_q $cpu0 $cpu1" > "$OUT/steady-saturation.counts"
SAT=$(python3 -c "import json;print(json.load(open('$OUT/steady-saturation.json'))['rps'])")
HALF_DELAY=$(python3 -c "print(max(1, round(32 * 1000 / ($SAT / 2))))")
echo "== (a) steady: latency at half of it (32 connections, one request per connection every $HALF_DELAY ms)"
load steady-half push 32 "${SECONDS_STEADY}s" "$HALF_DELAY"

echo "== (e) latency at half rate while 2,000 hostile connections are held (1,000 silent, 1,000 sending a body a byte a second)"
side_tool slow-clients $HTTP_PORT 2000 40 "$OUT/slow-clients.txt" > "$OUT/slow-clients.log" 2>&1 & SLOW_PID=$!
sleep 5
load steady-half-slow push 32 "${SECONDS_STEADY}s" "$HALF_DELAY"
wait "$SLOW_PID" || true

echo "== (c) retries: half of the requests are duplicates, flat out"
before_q=$(queue_count)
load retries half-duplicates "$CONNECTIONS" "${SECONDS_STEADY}s" 0
sleep 2; echo "$before_q $(queue_count)" > "$OUT/retries.counts"

echo "== (b) burst: 20,000 interruptions of distinct streams within 10 s (asked: about 2,000/s on $BURST_CONNECTIONS connections)"
sleep 12  # an alert window with nothing in it
mails0=$(cat "$OUT/mails.txt"); listed0=$(cat "$OUT/mails.txt.interruptions"); before_q=$(queue_count)
# wrk waits DELAY after each answer: 256 connections, 100 ms + ~15 ms of answer each, ask about 2,200/s
load burst interrupt "$BURST_CONNECTIONS" 10s "$BURST_DELAY_MS"
sleep 25  # the digest window closes and the mails go out
echo "$before_q $(queue_count) $mails0 $(cat "$OUT/mails.txt") $listed0 $(cat "$OUT/mails.txt.interruptions")" > "$OUT/burst.counts"
RSS_MAX=$(sort -n "$OUT/rss.txt" | tail -1)
stop_gateway

echo "== (d) a 30 s broker outage in the middle of steady load (the gateway reaches RabbitMQ through a TCP proxy)"
rm -f "$OUT/cut"
side_tool proxy $PROXY_PORT 5672 "$OUT/cut" > "$OUT/proxy.log" 2>&1 & SIDE_PIDS+=($!)
sleep 2
FIRST_200_MAIN=$FIRST_200_MS
start_gateway outage -Dgateway.rabbitmq.addresses=127.0.0.1:$PROXY_PORT
before_q=$(queue_count)
load outage-before push 32 15s "$HALF_DELAY" > /dev/null
touch "$OUT/cut"
load outage-during push 32 30s "$HALF_DELAY" > /dev/null
rm -f "$OUT/cut"
load outage-after push 32 15s "$HALF_DELAY" > /dev/null
for _ in $(seq 1 120); do [ "$(spool_depth)" = 0 ] && break; sleep 1; done
sleep 2; echo "$before_q $(queue_count) $(spool_depth)" > "$OUT/outage.counts"
stop_gateway

python3 - "$OUT" "$BROKER_CEILING" "$HTTP_CEILING" "$FIRST_200_MAIN" "$RSS_MAX" "$PUBLISH_CEILING" <<'PY'
import json, sys, platform, os
out, broker, http, first, rss = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
publish = float(sys.argv[6])
j = lambda n: json.load(open(f"{out}/{n}.json"))
c = lambda n: open(f"{out}/{n}.counts").read().split()
sat, half, ret, burst = j("steady-saturation"), j("steady-half"), j("retries"), j("burst")
slow = j("steady-half-slow")
slow_open, slow_closed_idle, slow_closed_trickle, slow_kept_idle, slow_kept_trickle = open(f"{out}/slow-clients.txt").read().split()
b_q0, b_q1, cpu0, cpu1 = c("steady-saturation")
cpu_per_1000 = (float(cpu1) - float(cpu0)) / sat["ok"] * 1000
r_q0, r_q1 = c("retries")
u_q0, u_q1, m0, m1, l0, l1 = c("burst")
o = [j("outage-before"), j("outage-during"), j("outage-after")]
o_q0, o_q1, o_spool = c("outage")
o_ok = sum(x["ok"] for x in o)
rows = [
    ("broker ceiling (PerfTest, confirms, persistent 450 B)", f"{broker:.0f} msg/s"),
    ("bare HTTP ceiling (platform-http, {\"code\":0})", f"{http:.0f} req/s"),
    ("publish-only ceiling (platform-http + the publish step)", f"{publish:.0f} req/s = {publish/broker*100:.0f}% of broker"),
    ("(a) gateway at saturation", f"{sat['rps']:.0f} req/s = {sat['rps']/broker*100:.0f}% of broker, {sat['rps']/publish*100:.0f}% of publish-only, {sat['rps']/http*100:.1f}% of bare HTTP; {sat['ok']} answered 200, {int(b_q1)-int(b_q0)} on the queue"),
    ("(a) latency at half rate", f"{half['rps']:.0f} req/s: p50 {half['p50_ms']:.1f} ms, p99 {half['p99_ms']:.1f} ms, p99.9 {half['p999_ms']:.1f} ms"),
    ("(b) burst: interruptions in 10 s", f"{burst['requests']} sent, {burst['ok']} answered 200, {int(u_q1)-int(u_q0)} on the queue, {int(m1)-int(m0)} digest mail deliveries listing {int(l1)-int(l0)} interruptions; p99 {burst['p99_ms']:.1f} ms"),
    ("(e) latency at half rate, 2,000 hostile connections held", f"{slow['rps']:.0f} req/s: p50 {slow['p50_ms']:.1f} ms, p99 {slow['p99_ms']:.1f} ms, p99.9 {slow['p999_ms']:.1f} ms, {slow['ok']} answered 200 of {slow['requests']}; silent ones kept {slow_kept_idle} s, byte-a-second bodies {slow_kept_trickle} s ({slow_closed_idle} + {slow_closed_trickle} closed by the gateway)"),
    ("(c) retries, half duplicates", f"{ret['rps']:.0f} req/s, {ret['ok']} answered 200, {int(r_q1)-int(r_q0)} published (the rest were duplicates)"),
    ("(d) outage 30 s: before / during / after", " / ".join(f"{x['rps']:.0f} req/s p99 {x['p99_ms']:.1f} ms max {x['max_ms']:.0f} ms" for x in o)),
    ("(d) outage: answered 200 vs arrived", f"{o_ok} answered 200, {int(o_q1)-int(o_q0)} arrived, {int(o_spool)} left in the spool, lost {max(0, o_ok-(int(o_q1)-int(o_q0)))}"),
    ("gateway RSS, max under load", f"{rss/1024:.0f} MiB"),
    ("start to first 200", f"{first} ms"),
    ("CPU per 1,000 events (saturation)", f"{cpu_per_1000:.2f} s"),
]
lines = ["| measure | result |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
table = "\n".join(lines)
open(f"{out}/results.md", "w").write(table + "\n")
print("\n" + table)
PY
echo "(details: $OUT/)"
