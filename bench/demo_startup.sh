#!/bin/bash
# From `git clone` to a console answering (./dev demo), then the summed RSS of every demo process
# after WAIT_RSS seconds, then Ctrl-C. Results: bench/RESULTS.md (demo).
#   bench/demo_startup.sh DEST PORT SANDBOX_PORT [WAIT_RSS]
set -u
DEST=$1; PORT=$2; SPORT=$3; WAIT_RSS=${4:-180}
REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
rm -rf "$DEST"
T0=$(date +%s.%N)
git clone -q "$REPO" "$DEST"
cd "$DEST"
setsid ./dev demo --port "$PORT" --sandbox-port "$SPORT" > "$DEST.log" 2>&1 &
DEMO=$!
echo $DEMO > "$DEST.pid"
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/accounts/sign-in/"; do sleep 0.25; done
T1=$(date +%s.%N)
until grep -q "Shequn demo is running" "$DEST.log"; do sleep 0.25; done
T2=$(date +%s.%N)
echo "console_answering_s=$(echo "$T1 - $T0" | bc) banner_s=$(echo "$T2 - $T0" | bc)"
sleep "$WAIT_RSS"
SHELLPID=$(cat "$DEST.pid")
PIDS=$(ps -eo pid,pgid | awk -v g="$SHELLPID" '$2==g {print $1}')
TOTAL=0
for p in $PIDS; do r=$(awk '/VmRSS/ {print $2}' /proc/$p/status 2>/dev/null); [ -n "$r" ] && TOTAL=$((TOTAL + r)) && echo "pid $p rss_kb $r $(tr '\0' ' ' < /proc/$p/cmdline | cut -c1-90)"; done
echo "total_rss_mb=$((TOTAL / 1024))"
printf '{"bench": "demo", "console_answering_s": %s, "banner_s": %s, "total_rss_mb": %s}\n' \
  "$(echo "$T1 - $T0" | bc)" "$(echo "$T2 - $T0" | bc)" "$((TOTAL / 1024))"
grep "^\[[0-9]" "$DEST.log" | tail -2
kill -INT "$SHELLPID"
sleep 15
ps -eo pid,pgid | awk -v g="$SHELLPID" '$2==g {print "left:", $1}'
