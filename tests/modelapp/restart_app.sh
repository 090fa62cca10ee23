#!/bin/bash
# The model app's on-change command: stop the app named by the pid file, start
# it again on the .env, and wait (at most 10 s) until its port answers.
# Usage: restart_app.sh PIDFILE ENV_FILE HOST:PORT
set -u
pidfile=$1 env_file=$2 listen=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -f $pidfile ]]; then
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
fi
/usr/bin/python3 "$here/model_app.py" --env_file "$env_file" --listen "$listen" \
  >/dev/null 2>&1 </dev/null &
echo $! >"$pidfile"
for _ in $(seq 200); do
  if (exec 3<>"/dev/tcp/${listen%:*}/${listen##*:}") 2>/dev/null; then exit 0; fi
  sleep 0.05
done
echo "restart_app: ${listen} does not answer" >&2
exit 1
