#!/usr/bin/env bash
# The gateway with each de-duplication store, flat out, in alternating slices of one sitting (issue 35, target 3):
#   file        one instance's store (the default)
#   jdbc        the shared store in PostgreSQL, new events answered from memory (each instance learns the others'
#               identities by LISTEN/NOTIFY): the default with gateway.dedup.store=jdbc
#   jdbc-query  the shared store asking PostgreSQL about every new event (gateway.dedup.jdbc.memory-window-seconds=0,
#               what every new event cost before issue 35)
# Each slice starts the gateway, loads it BENCH_SECONDS to warm up and BENCH_SECONDS measured (wrk, 128 connections,
# a new push each request), and reads its CPU time and its metrics. BENCH_ROUNDS rounds of the three (2).
# Memory must hold every identity of the window for the jdbc variant to answer from it: at 8-10k events/s that is
# more than the default capacity (200,000: 222 events/s over 15 minutes), so every variant runs with
# gateway.dedup.capacity=BENCH_DEDUP_CAPACITY (1,000,000) and a window of BENCH_DEDUP_WINDOW seconds (60: the
# provider's first retry; a site plans capacity = rate x window, docs/scaling-out.md).
# Needs RabbitMQ (127.0.0.1:5672), PostgreSQL (127.0.0.1:5432, user postgres, database test) and wrk; uses an
# exchange, queue and table of its own and removes them. About 7 minutes; results in bench/out/dedup.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_SLICE=${BENCH_SECONDS:-20}
ROUNDS=${BENCH_ROUNDS:-2}
CAPACITY=${BENCH_DEDUP_CAPACITY:-1000000}
WINDOW=${BENCH_DEDUP_WINDOW:-60}
# a heap of 384 MB, as its results in bench/README.md were measured (a million identities took about 130 MB of it
# before they were kept as digests, 35 MB since)
JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms256m -Xmx384m}
HTTP_PORT=18080
MGMT_PORT=19876
KEY="bench-key-$RANDOM$RANDOM"
RUN_ID=$(date +%s)
EXCHANGE=css.events.dedupbench
UNROUTED=css.unrouted.dedupbench
QUEUE=css.dedupbench.events
TABLE=bench_dedup_$RUN_ID
OUT=bench/out/dedup
rm -rf "$OUT" && mkdir -p "$OUT"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
(exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null || { echo "RabbitMQ is not listening on 127.0.0.1:5672" >&2; exit 1; }
(exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null || { echo "PostgreSQL is not listening on 127.0.0.1:5432" >&2; exit 1; }

echo "== building"
mvn -B -q package -DskipTests
JAR=target/css-callback-gateway.jar
tool() { java -cp "$JAR" bench/BenchTool.java "$@"; }
sql() { psql -q -h 127.0.0.1 -U postgres -d test -c "$1" > /dev/null; }
T=$(( $(date +%s) + 7200 ))
SIGN=$(printf '%s%s' "$KEY" "$T" | md5sum | cut -d' ' -f1)
GW_PID=
CONSUMER_PID=
cleanup() {
    [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null || true
    [ -n "$CONSUMER_PID" ] && kill "$CONSUMER_PID" 2>/dev/null || true
    tool queue-delete "$QUEUE" "$UNROUTED" "$EXCHANGE.alerts" "$EXCHANGE.streams" >/dev/null 2>&1 || true
    tool exchange-delete "$EXCHANGE" "$UNROUTED" >/dev/null 2>&1 || true
    sql "DROP TABLE IF EXISTS $TABLE" 2>/dev/null || true
}
trap cleanup EXIT

load() { # NAME SECONDS -> the RESULT json
    T=$T SIGN=$SIGN MODE=push RUN="$RUN_ID$RANDOM" DELAY_MS=0 \
        wrk -t2 -c128 -d"$2s" --timeout 30s -s bench/wrk/callbacks.lua "http://127.0.0.1:$HTTP_PORT" > "$OUT/$1.txt" 2>&1
    grep '^RESULT' "$OUT/$1.txt" | sed 's/^RESULT //' > "$OUT/$1.json"
}
cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$GW_PID/stat"; }
metric() { curl -s "http://127.0.0.1:$MGMT_PORT/observe/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

slice() { # NAME ROUND -Dkey=value...
    local name=$1 round=$2; shift 2
    rm -rf "$OUT/data"
    CSS_CALLBACK_KEYS=$KEY java $JAVA_OPTS -Dcamel.server.port=$HTTP_PORT -Dcamel.server.host=127.0.0.1 \
        -Dcamel.management.port=$MGMT_PORT -Dgateway.rabbitmq.exchange=$EXCHANGE \
        -Dgateway.rabbitmq.alternate-exchange=$UNROUTED -Dgateway.rabbitmq.unrouted-queue=$UNROUTED \
        -Dgateway.dedup.file=$OUT/data/dedup/seen.txt -Dgateway.audit.dir=$OUT/data/audit \
        -Dgateway.spool.dir=$OUT/data/spool -Dgateway.alert.undelivered-dir=$OUT/data/undelivered \
        -Dgateway.streams.enabled=false -Dgateway.audit.index.store=local \
        -Dgateway.audit.index.dir=$OUT/data/audit-index -Dgateway.dedup.capacity=$CAPACITY \
        -Dgateway.dedup.jdbc.url=jdbc:postgresql://127.0.0.1:5432/test -Dgateway.dedup.jdbc.username=postgres \
        -Dgateway.dedup.jdbc.table=$TABLE -Dgateway.dedup.jdbc.memory-window-seconds=$WINDOW \
        "$@" -jar "$JAR" > "$OUT/gateway-$name-$round.log" 2>&1 &
    GW_PID=$!
    for _ in $(seq 1 600); do
        curl -s -o /dev/null "http://127.0.0.1:$MGMT_PORT/observe/health/ready" -f && break
        sleep 0.1
    done
    if [ -z "$CONSUMER_PID" ]; then
        # the gateway declared the exchange; a consumer takes the events, as in a deployment
        tool queue-bind "$EXCHANGE" "$QUEUE" '#' > /dev/null
        echo 0 > "$OUT/consumed.txt"
        java -cp "$JAR" bench/BenchTool.java consume "$QUEUE" "$OUT/consumed.txt" > "$OUT/consumer.log" 2>&1 &
        CONSUMER_PID=$!
        sleep 2
    fi
    load "$name-$round-warm-up" "$SECONDS_SLICE"
    local cpu0 checks0 cpu1 checks1
    cpu0=$(cpu_seconds); checks0=$(metric css_gateway_dedup_database_checks_total)
    load "$name-$round" "$SECONDS_SLICE"
    cpu1=$(cpu_seconds); checks1=$(metric css_gateway_dedup_database_checks_total)
    echo "$cpu0 $cpu1 ${checks0:-0} ${checks1:-0}" > "$OUT/$name-$round.counts"
    kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=
    python3 -c "import json;r=json.load(open('$OUT/$name-$round.json'));c='$cpu0 $cpu1'.split();print('   $name round $round: %.0f req/s, %.0f CPU-us per request' % (r['rps'], (float(c[1])-float(c[0]))/r['ok']*1e6))"
}

for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round"
    slice file "$round" -Dgateway.dedup.store=file
    slice jdbc "$round" -Dgateway.dedup.store=jdbc
    slice jdbc-query "$round" -Dgateway.dedup.store=jdbc -Dgateway.dedup.jdbc.memory-window-seconds=0
done

python3 - "$OUT" "$ROUNDS" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
rows, file_rps = [], {}
for name in ("file", "jdbc", "jdbc-query"):
    for r in range(1, rounds + 1):
        j = json.load(open(f"{out}/{name}-{r}.json"))
        cpu0, cpu1, k0, k1 = (float(x) for x in open(f"{out}/{name}-{r}.counts").read().split())
        if name == "file":
            file_rps[r] = j["rps"]
        share = f"{j['rps'] / file_rps[r] * 100:.0f}%" if name != "file" else "-"
        checks = f"{(k1 - k0) / j['ok'] * 100:.1f}%" if name != "file" else "-"
        rows.append(f"| {name} | {r} | {j['rps']:.0f} | {share} | {(cpu1 - cpu0) / j['ok'] * 1e6:.0f} | "
                    f"{j['p99_ms']:.1f} | {checks} |")
table = "\n".join(["| store | round | req/s | of file's | gateway CPU-us per request | p99 ms | new events asked of PostgreSQL |",
                   "|---|---|---|---|---|---|---|"] + rows)
open(f"{out}/../dedup.md", "w").write(table + "\n")
print("\n" + table)
PY
