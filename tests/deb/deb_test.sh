#!/usr/bin/env bash
# The Debian packages as an operator installs them (issue L). Builds
# //deploy/debian:secretsync_deb and :secretsync_devserver_deb, runs lintian,
# then installs the package with apt into a fresh Debian 12 root made by
# debootstrap (minbase, from the mirror this machine's apt uses) and checks:
# every binary's --help and --version, `systemd-analyze verify --root` on the
# installed units, the agent user, /etc/secretsync's mode, a sync by the
# installed binary against the dev server rendering the GlitchTip example's
# .env byte-identical to the Bazel-built sync's, then remove (conffiles and
# user stay) and purge (nothing left but the operator's own files).
# Needs root (chroot). Not a Bazel test: it builds with Bazel and uses the
# network to the package archive. Prints "ok"/"FAIL" lines, then
# "N passed, N failed"; exits non-zero on any failure.
# SECRETSYNC_DEB_ROOT_CACHE (default /var/cache/secretsync-tests) keeps the
# debootstrap tarball between runs.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

passed=0
failed=0
check() {  # check "description" command...
  if "${@:2}"; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}
quiet() { "$@" >/dev/null; }  # check "..." quiet cmd: the command's output, not the check's line, is dropped
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
die() { failed=$((failed + 1)); echo "FAIL $1"; finish; }

[ "$(id -u)" -eq 0 ] || die "tests/deb/deb_test.sh must run as root (chroot)"
work=$(mktemp -d /tmp/secretsync-deb.XXXXXX)
root=$work/root
server_pid=
mounted=()
cleanup() {
  [ -z "$server_pid" ] || { kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; }
  for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

# 1. Build. SECRETSYNC_DEB_OPTIMIZE=0 (the CI suite) packages the binaries the
# test stage already built instead of an opt build of its own (defs.bzl).
deb_flags=()
[ "${SECRETSYNC_DEB_OPTIMIZE:-1}" != 0 ] || deb_flags+=(--//deploy/debian:optimize=false)
bazel build --config=ci "${deb_flags[@]}" //deploy/debian:secretsync_deb //deploy/debian:secretsync_devserver_deb \
  //tools:devserver //tools:keygen //tools:sync >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log"; die "bazel build //deploy/debian:secretsync_deb"; }
version=$(tr -d '[:space:]' <VERSION)
deb=$work/secretsync_${version}_amd64.deb
devdeb=$work/secretsync-devserver_${version}_amd64.deb
cp bazel-bin/deploy/debian/secretsync.deb "$deb"
cp bazel-bin/deploy/debian/secretsync-devserver.deb "$devdeb"
bin=$repo/bazel-bin/tools
check "the package's Version: is VERSION ($version)" [ "$(dpkg-deb -f "$deb" Version)" = "$version" ]
check "Depends: comes from dpkg-shlibdeps (libc6 with a version)" bash -c "dpkg-deb -f '$deb' Depends | grep -q 'libc6 (>= '"
dpkg-deb -c "$deb" >"$work/contents"
dpkg-deb -c "$devdeb" >"$work/dev-contents"
check "the production package holds no dev server" bash -c "! grep -q devserver '$work/contents'"
check "the dev server package holds it" grep -q './usr/bin/secretsync-devserver$' "$work/dev-contents"
# Sizes are figures, not checks: tests/bench/deb_bench.sh reports them.
echo "     package $(( $(stat -c %s "$deb") / 1024 )) KiB, installed $(dpkg-deb -f "$deb" Installed-Size) KiB"

# 2. lintian: no errors (warnings are documented in docs/packaging.md).
for p in "$deb" "$devdeb"; do
  lintian --tag-display-limit 0 "$p" >"$work/lintian.out" 2>&1
  sed 's/^/     /' "$work/lintian.out"
  check "lintian finds no error in $(basename "$p")" bash -c "! grep -q '^E: ' '$work/lintian.out'"
done

# 3. A fresh Debian 12 root (debootstrap minbase), cached as a tarball.
cache=${SECRETSYNC_DEB_ROOT_CACHE:-/var/cache/secretsync-tests}
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || die "no Debian mirror found in this machine's apt sources"
tarball=$cache/bookworm-minbase.tgz
mkdir -p "$cache" "$root"
if [ ! -s "$tarball" ]; then
  debootstrap --variant=minbase --make-tarball="$tarball.tmp" bookworm "$work/tarball-work" "$mirror" \
    >"$work/debootstrap.log" 2>&1 && mv "$tarball.tmp" "$tarball" \
    || { tail -20 "$work/debootstrap.log"; rm -f "$tarball.tmp"; die "debootstrap --make-tarball"; }
fi
debootstrap --variant=minbase --unpack-tarball="$tarball" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log"; die "debootstrap bookworm (minbase) into a scratch root"; }
for m in proc dev; do
  mount --bind "/$m" "$root/$m" && mounted=("$root/$m" "${mounted[@]}")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
in_root apt-get update -qq >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log"; die "apt-get update in the root"; }

# The package's dependencies first, so what remains after purge can be
# compared; and what every host the units are for has: systemd, and procps
# for the agent unit's ExecReload=/bin/kill.
deps="systemd procps $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g' | grep -v '^$')"
# shellcheck disable=SC2086
in_root apt-get install -y -qq --no-install-recommends $deps >>"$work/apt.log" 2>&1 \
  || { tail -20 "$work/apt.log"; die "apt-get install the package's dependencies"; }
snapshot() {  # every path in the root but the package manager's own state and logs
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp -o -path ./var/lib/dpkg \
    -o -path ./var/lib/apt -o -path ./var/cache -o -path ./var/log -o -path ./run \) -prune -o -print | LC_ALL=C sort)
}
snapshot >"$work/before"

# 4. Install as an operator would: apt install ./secretsync_<version>_amd64.deb
cp "$deb" "$root/tmp/"
in_root apt-get install -y -qq "./tmp/$(basename "$deb")" >>"$work/apt.log" 2>&1
check "apt install ./$(basename "$deb") succeeds in a fresh Debian 12 root" [ $? -eq 0 ] || tail -20 "$work/apt.log"
for t in sync rotate keygen agent fanout hub; do
  check "secretsync-$t --help exits 0 in the root" quiet in_root "/usr/bin/secretsync-$t" --help
done
check "secretsync-sync --version prints VERSION and the commit" \
  bash -c "chroot '$root' /usr/bin/secretsync-sync --version | grep -qE '^secretsync $version \\(commit [0-9a-f]{7,}(-dirty)?\\)$'"
check "a man page for each tool" bash -c "for t in sync rotate keygen agent fanout hub; do [ -s '$root/usr/share/man/man1/secretsync-'\$t'.1.gz' ] || exit 1; done"
units=$(cd "$root" && ls lib/systemd/system/secretsync-* 2>/dev/null)
check "the units are installed" [ -n "$units" ]
# shellcheck disable=SC2086
systemd-analyze verify --man=no --root="$root" $(printf '/%s ' $units) >"$work/verify.out" 2>&1
verify_rc=$?
sed 's/^/     /' "$work/verify.out"
check "systemd-analyze verify accepts every installed unit" [ "$verify_rc" -eq 0 ]
check "no unit is enabled by the install" bash -c "! ls '$root'/etc/systemd/system/*.wants/secretsync-* 2>/dev/null | grep -q ."
check "the agent's system user exists" quiet in_root getent passwd secretsync-agent
check "the hub's system user exists" quiet in_root getent passwd secretsync-hub
check "/etc/secretsync-hub is 0750 root:secretsync-hub" \
  [ "$(chroot "$root" stat -c '%a %U:%G' /etc/secretsync-hub)" = "750 root:secretsync-hub" ]
check "/etc/secretsync is 0750 root:secretsync-agent" \
  [ "$(chroot "$root" stat -c '%a %U:%G' /etc/secretsync)" = "750 root:secretsync-agent" ]
check "the example config is a conffile" bash -c "dpkg-deb -e '$deb' '$work/ctl' && grep -qx /etc/secretsync/glitchtip.textproto '$work/ctl/conffiles'"

# 5. The installed sync renders the GlitchTip example's .env like the Bazel-built one.
"$bin/devserver" --listen 127.0.0.1:0 --seed deploy/examples/glitchtip/devserver-seed.textproto \
  >"$work/devserver.out" 2>"$work/devserver.log" &
server_pid=$!
for _ in $(seq 1 200); do grep -q '^listening on ' "$work/devserver.out" 2>/dev/null && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$work/devserver.out" | head -n1)
[ -n "$url" ] || die "the dev server did not start"
# keygen on a copy of the demo config: its token cache lands beside it.
cp deploy/examples/glitchtip/demo.textproto deploy/examples/glitchtip/.env.template "$work/"
(cd "$work" && INFISICAL_UNIVERSAL_AUTH_CLIENT_ID=demo-client-id INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET=demo-client-secret \
  "$bin/keygen" --config="$work/demo.textproto" --site-url="$url" --push >/dev/null 2>&1) \
  || die "keygen --push against the dev server"
creds() {  # creds DIR: the client id and secret as systemd credentials
  install -d -m 700 "$1"
  (umask 077; printf 'demo-client-id\n' >"$1/infisical-client-id"; printf 'demo-client-secret\n' >"$1/infisical-client-secret")
}
fake_docker() {  # fake_docker DIR: docker on PATH that only succeeds
  install -d "$1"; printf '#!/bin/sh\nexit 0\n' >"$1/docker"; chmod 755 "$1/docker"
}
# Host: the Bazel-built sync on the repository's example config, its
# /opt/glitchtip and /var/lib/secretsync moved into the scratch folder.
mkdir -p "$work/host/etc" "$work/host/opt/glitchtip" "$work/host/state"
creds "$work/host/creds"; fake_docker "$work/host/bin"
sed -e "s#/var/lib/secretsync/#$work/host/state/#" -e "s#/opt/glitchtip#$work/host/opt/glitchtip#g" \
  deploy/examples/glitchtip/secretsync.textproto >"$work/host/etc/glitchtip.textproto"
cp deploy/examples/glitchtip/.env.template "$work/host/etc/glitchtip.env.template"
(cd "$work/host" && env -i PATH="$work/host/bin:/usr/bin:/bin" CREDENTIALS_DIRECTORY="$work/host/creds" \
  "$bin/sync" --config="$work/host/etc/glitchtip.textproto" --site-url="$url") >"$work/host-sync.out" 2>&1
check "the Bazel-built sync renders the example (exit 0)" [ $? -eq 0 ] || cat "$work/host-sync.out"
# Root: the installed sync on the installed example config, as it stands.
creds "$root/run/creds"; fake_docker "$root/usr/local/bin"; mkdir -p "$root/opt/glitchtip"
in_root env CREDENTIALS_DIRECTORY=/run/creds /usr/bin/secretsync-sync --config=/etc/secretsync/glitchtip.textproto \
  --site-url="$url" >"$work/root-sync.out" 2>&1
check "the installed sync exits 0 on the installed example config" [ $? -eq 0 ] || cat "$work/root-sync.out"
check "the two .env files are byte-identical" cmp -s "$work/host/opt/glitchtip/.env" "$root/opt/glitchtip/.env"
check "the installed sync wrote .env mode 0600" [ "$(stat -c %a "$root/opt/glitchtip/.env" 2>/dev/null)" = 600 ]
check "the token cache went to /var/lib/secretsync" [ -s "$root/var/lib/secretsync/glitchtip.token" ]
rm -rf "$root/run/creds"

# 6. Remove keeps the conffiles and the user; purge leaves only the operator's files.
printf 'project_slug: "mine"\n' >"$root/etc/secretsync/mine.textproto"
in_root apt-get remove -y -qq secretsync >>"$work/apt.log" 2>&1
check "apt remove succeeds" [ $? -eq 0 ]
check "after remove, no binary is left" bash -c "! ls '$root'/usr/bin/secretsync-* 2>/dev/null | grep -q ."
check "after remove, the conffiles stay" [ -f "$root/etc/secretsync/glitchtip.textproto" ]
check "after remove, the agent user stays" quiet in_root getent passwd secretsync-agent
in_root apt-get purge -y -qq secretsync >>"$work/apt.log" 2>&1
check "apt purge succeeds" [ $? -eq 0 ]
check "after purge, the agent user is gone" bash -c "! chroot '$root' getent passwd secretsync-agent"
check "after purge, the hub user and its empty folder are gone" \
  bash -c "! chroot '$root' getent passwd secretsync-hub && [ ! -e '$root/etc/secretsync-hub' ]"
check "after purge, the conffiles are gone" [ ! -e "$root/etc/secretsync/glitchtip.textproto" ]
check "after purge, the operator's own config stays" [ -f "$root/etc/secretsync/mine.textproto" ]
snapshot >"$work/after"
# Left by the test itself: the operator's config and deployment folder, the
# fake docker; and the backups adduser/deluser keep of the user database.
extra=$(comm -13 "$work/before" "$work/after" \
  | grep -vE '^\./(etc/secretsync|etc/secretsync/mine\.textproto|opt/glitchtip(/.*)?|usr/local/bin/docker|etc/(passwd|group|shadow|gshadow)-)$')
missing=$(comm -23 "$work/before" "$work/after")
[ -z "$extra" ] || echo "$extra" | sed 's/^/     left behind: /'
[ -z "$missing" ] || echo "$missing" | sed 's/^/     removed: /'
check "after purge, nothing of the package is left (only the operator's files)" [ -z "$extra" ]
check "purge removed nothing that was there before" [ -z "$missing" ]

finish
