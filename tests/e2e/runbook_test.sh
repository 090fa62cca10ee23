#!/usr/bin/env bash
# Follows docs/sync.md as written: every ```sh block, in order, in one emulated
# root shell (working folder, exports and umask carry from block to block), in
# a scratch folder standing for /, against the dev server. Fails if a step
# fails, or does not leave what the runbook says it leaves. Between the steps
# the test does what the runbook leaves to the operator or to a daemon: edits
# the config (site_url, paths), fires the timer and the cron job (as
# deploy_lib.sh emulates them), changes a secret in Infisical. Stubs stand in
# for bazel (copies the built binaries), apt-get and systemctl (record calls).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deploy_lib.sh"

DOC=$rf/docs/sync.md
start_devserver "$rf/tests/testdata/runbook-seed.textproto"
all=$T/all-output.txt
: >"$all"

# The checkout the operator works in, and the stubs.
SRC=$T/src
mkdir -p "$SRC"
cp -rL "$rf/deploy" "$rf/docs" "$SRC/"
STUBS=$T/stubs
mkdir -p "$STUBS"
cat >"$STUBS/bazel" <<EOF
#!/bin/sh
echo "bazel \$*" >>"$T/stubs.log"
[ "\$1" = build ] || exit 2
mkdir -p bazel-bin/tools && cp "$SYNC" "$KEYGEN" bazel-bin/tools/
EOF
for tool in apt-get systemctl; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$tool" "$T/stubs.log" >"$STUBS/$tool"
done
chmod 755 "$STUBS"/*
: >"$T/stubs.log"
install_fake_docker
mkdir -p "$ROOT/opt/glitchtip"  # the existing GlitchTip deployment
# What a Debian host with systemd and cron has (not /usr/local/lib/secretsync).
mkdir -p "$ROOT/etc/systemd/system" "$ROOT/etc/cron.d" "$ROOT/usr/local/lib" "$ROOT/usr/local/share/doc"

# The operator's shell: a login-like environment, in the checkout, umask 022.
SESSION=$T/session
mkdir -p "$SESSION"
env -i PATH="$STUBS:$(echo /usr/local/sbin:/usr/local/bin | map_paths):/usr/sbin:/usr/bin:/sbin:/bin" \
  HOME="$ROOT/root" LANG=C.UTF-8 bash -c 'export -p' >"$SESSION/state"
echo "$SRC" >"$SESSION/cwd"
echo 0022 >"$SESSION/umask"
printf 'runbook-client-id\ncanary-client-secret-runbook-91af\n' >"$T/answers"  # typed at the prompts

run_block() {  # run_block FILE: one step in the operator's shell; sets block_rc
  {
    echo ". '$SESSION/state'"
    echo "cd \"\$(cat '$SESSION/cwd')\" && umask \"\$(cat '$SESSION/umask')\""
    echo "set -e -o pipefail"
    map_paths <"$1"
    echo
    echo "set +e"
    echo "export -p >'$SESSION/state'; pwd >'$SESSION/cwd'; umask >'$SESSION/umask'"
  } >"$1.run"
  env -i bash "$1.run" <"$T/answers" >"$1.out" 2>&1
  block_rc=$?
  sed 's/^/    | /' "$1.out"
  cat "$1.out" >>"$all"
}

api() {  # api METHOD PATH [BODY]: the Infisical API as the runbook's identity
  local token
  token=$(curl -sf -X POST "$URL/api/v1/auth/universal-auth/login" -H 'Content-Type: application/json' \
    -d '{"clientId":"runbook-client-id","clientSecret":"canary-client-secret-runbook-91af"}' | jq -r .accessToken)
  curl -sf -X "$1" "$URL$2" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' ${3:+-d "$3"}
}
secret_value() { api GET "/api/v3/secrets/raw/$1?workspaceSlug=glitchtip&environment=prod&secretPath=/" | jq -r .secret.secretValue; }
mode() { stat -c %a "$1" 2>/dev/null; }
same_file() { cmp -s "$1" "$2"; }

# Only libraries of packages every Debian host has, plus the sanitizers'
# own and the shared libstdc++ when this test runs under --config=asan
# (elsewhere the tools link it in: bazel/static_libstdcxx).
ldd_packages_ok() {
  local lib pkg bad=0
  for lib in $(ldd "$1" | awk '/=>/ {print $3}'); do
    pkg=$({ dpkg -S "$lib" || dpkg -S "$(readlink -f "$lib")"; } 2>/dev/null | head -n1 | cut -d: -f1)
    case $pkg in
      libc6 | libstdc++6 | libgcc-s1 | libssl3) ;;
      libasan* | libubsan* | libtsan*) ;;
      *) echo "  $1 needs $lib from '$pkg', not in the runbook's list"; bad=1 ;;
    esac
  done
  return $bad
}

# The blocks, as written.
mkdir -p "$T/blocks"
awk -v dir="$T/blocks" '
  /^ *```sh$/ { n++; inblock = 1; match($0, /^ */); indent = RLENGTH; next }
  inblock && /^ *```$/ { inblock = 0; next }
  inblock { print substr($0, indent + 1) > sprintf("%s/%02d.sh", dir, n) }
' "$DOC"
blocks=("$T"/blocks/*.sh)
check "docs/sync.md has the runbook's 11 sh blocks (found ${#blocks[@]})" [ "${#blocks[@]}" -eq 11 ]
for b in "${blocks[@]}"; do
  map_paths <"$b" >"$b.mapped"
  left=$(unmapped_paths "$b.mapped")
  check "block $(basename "$b" .sh) uses only paths the test maps (${left:-ok})" [ -z "$left" ]
done
[ "$failures" -eq 0 ] || { finish; exit 1; }  # never run a block that could write outside the scratch root

env_file=$ROOT/opt/glitchtip/.env
ran=0
for b in "${blocks[@]}"; do
  n=$(basename "$b" .sh)
  echo "== block $n: $(head -n1 "$b")"
  run_block "$b"
  check "block $n succeeds (exit $block_rc)" [ "$block_rc" -eq 0 ]
  [ "$block_rc" -eq 0 ] || break
  ran=$((ran + 1))
  text=$(cat "$b")
  case $text in
    *"ldd dist/sync"*)
      check "the build step leaves dist/sync" [ -x "$SRC/dist/sync" ]
      check "the build step leaves dist/keygen" [ -x "$SRC/dist/keygen" ]
      check "sync needs no library beyond the runbook's list" ldd_packages_ok "$SRC/dist/sync"
      check "keygen needs no library beyond the runbook's list" ldd_packages_ok "$SRC/dist/keygen"
      check "the libcurl.so.4 sync loads is Debian's libcurl4" \
        bash -c "dpkg -S \"\$(readlink -f /usr/lib/x86_64-linux-gnu/libcurl.so.4)\" | grep -q '^libcurl4:'"
      ;;
    *"apt-get install"*)
      check "the host installs libcurl4, libssl3 and ca-certificates only" \
        grep -qx 'apt-get install -y --no-install-recommends libcurl4 libssl3 ca-certificates' "$T/stubs.log"
      check "secretsync-sync is installed 755" [ "$(mode "$ROOT/usr/local/bin/secretsync-sync")" = 755 ]
      check "secretsync-keygen is installed 755" [ "$(mode "$ROOT/usr/local/bin/secretsync-keygen")" = 755 ]
      doc=$(sed -n 's#^Documentation=file://##p' "$SRC/deploy/systemd/secretsync-sync@.service" | map_paths)
      check "the unit's Documentation= file is installed" same_file "$doc" "$SRC/docs/sync.md"
      ;;
    *"glitchtip.env.template"*)
      check "/etc/secretsync is 755" [ "$(mode "$ROOT/etc/secretsync")" = 755 ]
      check "the state folder /var/lib/secretsync is 700" [ "$(mode "$ROOT/var/lib/secretsync")" = 700 ]
      check "the template is named per deployment" [ -f "$ROOT/etc/secretsync/glitchtip.env.template" ]
      # The operator's edit: this site, this host's paths.
      config=$ROOT/etc/secretsync/glitchtip.textproto
      map_paths <"$config" | sed "s#site_url: \"https://app.infisical.com\"#site_url: \"$URL\"#" >"$T/config.edited"
      cat "$T/config.edited" >"$config"
      check "the edited config points at the dev server" grep -q "site_url: \"$URL\"" "$config"
      ;;
    *"infisical-client-secret"*)
      creds=$ROOT/etc/secretsync/credentials/glitchtip
      check "the credentials folder is 700" [ "$(mode "$creds")" = 700 ]
      check "the client id file is 600 and holds what was typed" \
        bash -c "[ \"\$(stat -c %a '$creds/infisical-client-id')\" = 600 ] && [ \"\$(cat '$creds/infisical-client-id')\" = runbook-client-id ]"
      check "the client secret file is 600" [ "$(mode "$creds/infisical-client-secret")" = 600 ]
      check "the operator's shell is back in the checkout, umask 022" \
        bash -c "[ \"\$(cat '$SESSION/cwd')\" = '$SRC' ] && [ \"\$(cat '$SESSION/umask')\" = 0022 ]"
      ;;
    *"--check"*)
      check "--check says the config is valid" grep -q "pass every offline check" "$b.out"
      ;;
    *"keygen"*)
      generated_key=$(secret_value SECRET_KEY)
      generated_pw=$(secret_value POSTGRES_PASSWORD)
      check "keygen --push created SECRET_KEY (64 hex digits)" grep -qxE '[0-9a-f]{64}' <<<"$generated_key"
      check "keygen --push created POSTGRES_PASSWORD (44 base64 characters)" [ "${#generated_pw}" -eq 44 ]
      ;;
    *"--dry-run"*)
      check "the preview names the variables" grep -q "SECRET_KEY" "$b.out"
      check "the preview writes nothing" [ ! -e "$env_file" ]
      ;;
    *"secretsync-sync --config"*)
      check "the first sync writes .env 0600" [ "$(mode "$env_file")" = 600 ]
      check ".env holds the generated SECRET_KEY" grep -qx "SECRET_KEY='$generated_key'" "$env_file"
      check "the token is cached in the state folder, 0600" [ "$(mode "$ROOT/var/lib/secretsync/glitchtip.token")" = 600 ]
      check "the on-change command ran docker compose in /opt/glitchtip with --no-deps" \
        grep -q "^$ROOT/opt/glitchtip|compose up -d --no-deps " "$T/docker.log"
      ;;
    *"systemctl enable --now"*)
      check "systemd was told to reload and start the timer" \
        bash -c "grep -qx 'systemctl daemon-reload' '$T/stubs.log' && grep -qx 'systemctl enable --now secretsync-sync@glitchtip.timer' '$T/stubs.log'"
      run_unit "$ROOT/etc/systemd/system/secretsync-sync@.service" glitchtip
      cat "$T/unit.out" "$T/unit.err" | tee -a "$all"
      check "the timer's run (the installed unit's ExecStart=) exits 0" [ "$unit_rc" -eq 0 ]
      check "it finds .env up to date" grep -q "is up to date" "$T/unit.out"
      ;;
    *"cron.d"*)
      check "the wrapper is installed 755 (install -D made its folder)" \
        [ "$(mode "$ROOT/usr/local/lib/secretsync/secretsync-sync-cron")" = 755 ]
      run_cron_file "$ROOT/etc/cron.d/secretsync-glitchtip" SECRETSYNC_SYSLOG_SOCKET="$T/no-syslog"
      cat "$T/cron.out" "$T/cron.err" | tee -a "$all"
      check "the cron job exits 0" [ "$cron_rc" -eq 0 ]
      # A secret changes in Infisical; the next cron run rolls it out.
      cp "$env_file" "$T/v1.env"
      api PATCH /api/v3/secrets/raw/SECRET_KEY \
        '{"workspaceId":"5f0c1c2e-7a43-4d2b-9a1e-2b6f0d8c4e11","environment":"prod","secretPath":"/","secretValue":"canary-secret-key-runbook-v2-0123456789abcdef"}' >/dev/null
      run_cron_file "$ROOT/etc/cron.d/secretsync-glitchtip" SECRETSYNC_SYSLOG_SOCKET="$T/no-syslog"
      cat "$T/cron.out" "$T/cron.err" | tee -a "$all"
      check "the cron job rolls out the change" grep -q "^SECRET_KEY='canary-secret-key-runbook-v2" "$env_file"
      check "the previous file is kept as .env.bak" same_file "$T/v1.env" "$env_file.bak"
      cp "$env_file" "$T/v2.env"
      restarts_before=$(wc -l <"$T/docker.log")
      ;;
    *"flock .env.lock"*)
      check "the restore puts the previous .env back" same_file "$T/v1.env" "$env_file"
      check "the restored .env is 0600" [ "$(mode "$env_file")" = 600 ]
      check "the restore recreates web and worker, without dependencies, in /opt/glitchtip" \
        [ "$(tail -n1 "$T/docker.log")" = "$ROOT/opt/glitchtip|compose up -d --no-deps web worker" ]
      check "docker ran once for the restore" [ "$(wc -l <"$T/docker.log")" -eq $((restarts_before + 1)) ]
      run_unit "$ROOT/etc/systemd/system/secretsync-sync@.service" glitchtip
      cat "$T/unit.out" "$T/unit.err" >>"$all"
      check "as the runbook warns, the next sync undoes the restore" same_file "$T/v2.env" "$env_file"
      ;;
  esac
done
check "every block ran" [ "$ran" -eq "${#blocks[@]}" ]

for canary in canary-client-secret-runbook canary-mail-runbook canary-secret-key-runbook-v2 \
  "${generated_key:-no-key}" "${generated_pw:-no-pw}"; do
  check "no output contains ${canary:0:24}" bash -c "! grep -qF -- '$canary' '$all'"
done
finish
