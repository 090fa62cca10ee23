# Helpers for the deployment tests (sourced after lib.sh): a scratch root that
# stands in for /etc, /opt, /var/lib and /usr/local, and emulations of what
# systemd and cron give the processes they start. There is no systemd or cron
# daemon here: the tests run the very command lines of the unit and cron files,
# in the environment those daemons document.

ROOT=$T/root
mkdir -p "$ROOT/var/lib"  # as on any host
INSTANCE=glitchtip        # the unit instance under test (%i)

# The host paths the deployment files and the runbook use, and nothing else:
# map_paths rewrites exactly these under $ROOT.
MAPPED_PREFIXES=(/etc/secretsync /etc/systemd/system /etc/cron.d /opt/glitchtip
  /var/lib/secretsync /usr/local/bin /usr/local/sbin /usr/local/lib/secretsync
  /usr/local/share/doc/secretsync)
case $ROOT in
  */etc/* | */opt/* | */var/lib/* | */usr/local/*) echo "scratch root $ROOT would be mapped twice"; exit 1 ;;
esac

map_paths() {  # stdin -> stdout, host paths rewritten under $ROOT
  local args=() p
  for p in "${MAPPED_PREFIXES[@]}"; do args+=(-e "s#$p\\([/ :\"']\\|\$\\)#$ROOT$p\\1#g"); done
  sed "${args[@]}"
}

unmapped_paths() {  # unmapped_paths FILE: prints host paths the mapping missed
  sed "s#$ROOT#@ROOT@#g" "$1" | grep -oE '(^|[ "'\''=:])/(etc|opt|var|srv|home|root|run|usr/local)/[^ "'\'';)]*' || true
}

# A fake docker (in $ROOT/usr/local/bin, where Docker's own packages put the
# CLI) that records its working folder and arguments.
install_fake_docker() {
  mkdir -p "$ROOT/usr/local/bin"
  cat >"$ROOT/usr/local/bin/docker" <<EOF
#!/bin/sh
echo "\$(pwd)|\$*" >>"$T/docker.log"
EOF
  chmod 755 "$ROOT/usr/local/bin/docker"
  : >"$T/docker.log"
}

unit_values() {  # unit_values UNIT KEY: every value of KEY=, one a line, %i substituted
  sed -n "s/^$2=//p" "$1" | sed "s/%i/$INSTANCE/g"
}

# run_unit UNIT_FILE INSTANCE: runs the unit's ExecStart= as systemd would for
# secretsync-sync@INSTANCE.service, with host paths mapped under $ROOT. What is
# emulated: an empty environment plus what systemd sets for a system service
# (PATH, INVOCATION_ID, CREDENTIALS_DIRECTORY holding each LoadCredential=
# file copied with mode 0400, STATE_DIRECTORY created with StateDirectoryMode=),
# UMask=, and the working folder /. Not emulated: the sandbox (ProtectSystem=
# and friends); check_writes_confined checks the writes it would allow.
# Sets unit_rc; stdout and stderr go to $T/unit.out and $T/unit.err.
run_unit() {
  local unit=$1
  INSTANCE=$2
  local exec_lines
  exec_lines=$(unit_values "$unit" ExecStart)
  if [ "$(printf '%s\n' "$exec_lines" | grep -c .)" -ne 1 ]; then
    echo "run_unit: $unit must have exactly one ExecStart="; unit_rc=1; return
  fi
  case $exec_lines in
    [-@+!:]* | *\"* | *\'* | *%* | *\$*)
      echo "run_unit: ExecStart= uses prefixes, quotes, specifiers or variables this emulation does not handle"
      unit_rc=1; return ;;
  esac
  local argv
  read -ra argv <<<"$(printf '%s\n' "$exec_lines" | map_paths)"

  local creds
  creds=$(mktemp -d "$T/credentials.XXXXXX")
  local id path
  while IFS=: read -r id path; do
    [ -n "$id" ] || continue
    path=$(printf '%s\n' "$path" | map_paths)
    if ! install -m 400 "$path" "$creds/$id"; then
      echo "run_unit: LoadCredential=$id: cannot read $path (systemd fails the unit)"; unit_rc=1; return
    fi
  done < <(unit_values "$unit" LoadCredential)
  chmod 500 "$creds"

  local env=(PATH="$(echo /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin | map_paths)"
    INVOCATION_ID=0123456789abcdef0123456789abcdef CREDENTIALS_DIRECTORY="$creds")
  local state mode
  state=$(unit_values "$unit" StateDirectory)
  if [ -n "$state" ]; then
    mode=$(unit_values "$unit" StateDirectoryMode)
    install -d -m "${mode:-0755}" "$(echo "/var/lib/$state" | map_paths)"
    env+=(STATE_DIRECTORY="$(echo "/var/lib/$state" | map_paths)")
  fi
  local umask_value
  umask_value=$(unit_values "$unit" UMask)
  (umask "${umask_value:-0022}"; cd / && exec env -i "${env[@]}" "${argv[@]}") >"$T/unit.out" 2>"$T/unit.err"
  unit_rc=$?
}

unit_success() {  # unit_success UNIT RC: does systemd count RC as success?
  [ "$2" -eq 0 ] && return 0
  local code
  for code in $(unit_values "$1" SuccessExitStatus); do
    [ "$code" = "$2" ] && return 0
  done
  return 1
}

snapshot_root() {  # snapshot_root FILE: every folder under $ROOT, every file with its mtime
  (cd "$ROOT" && find . -mindepth 1 \( -type d -printf '%p/\n' \) -o -printf '%p %T@\n' | sort) >"$1"
}

# check_writes_confined BEFORE AFTER ALLOWED...: no path changed outside the
# ALLOWED folders (what ProtectSystem=strict + ReadWritePaths= would enforce).
writes_outside() {
  local before=$1 after=$2
  shift 2
  local pattern
  pattern=$(printf '%s\n' "$@" | sed "s#^#^./#; s#\$#(/| )#" | paste -sd'|')
  diff "$before" "$after" | sed -n 's/^[<>] //p' | grep -vE "$pattern" || true
}

# run_cron_file CRONFILE [NAME=value...]: runs each job of a cron.d file as cron does: its
# NAME=value lines as the environment (cron adds SHELL=/bin/sh, HOME and
# LOGNAME), the command through /bin/sh -c in HOME. Host paths are mapped under
# $ROOT; HOME is $ROOT. The job's last argument, the wrapper's random delay, is
# set to 0 so the test does not sleep. Sets cron_rc; output to $T/cron.out and
# $T/cron.err. The NAME=value arguments are added to the environment (tests
# only, e.g. the syslog socket).
run_cron_file() {
  local file=$1
  shift
  local env=(SHELL=/bin/sh HOME="$ROOT" LOGNAME=root) line cmd user jobs=0
  while IFS= read -r line; do
    case $line in
      '' | \#*) continue ;;
      [A-Za-z_]*=*) env+=("$line"); continue ;;
    esac
    read -r _ _ _ _ _ user cmd <<<"$line"
    [ "$user" = root ] || { echo "run_cron_file: job runs as $user, expected root"; cron_rc=1; return; }
    jobs=$((jobs + 1))
    (cd "$ROOT" && exec env -i "${env[@]}" "$@" /bin/sh -c "$cmd") </dev/null >"$T/cron.out" 2>"$T/cron.err"
    cron_rc=$?
  done < <(map_paths <"$file" | sed -E '/^[0-9*]/s/ [0-9]+$/ 0/')
  [ "$jobs" -eq 1 ] || { echo "run_cron_file: expected one job, found $jobs"; cron_rc=1; }
}
