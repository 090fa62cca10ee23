#!/usr/bin/env bash
# Builds one Debian package with dpkg-deb (rules_pkg is not available
# offline): strips the binaries as dh_strip would, writes man pages from each
# tool's --help with help2man, computes Depends: with dpkg-shlibdeps, moves
# the hand-install paths of units and docs (/usr/local/...) to the packaged
# ones (/usr/...), and writes md5sums and conffiles. Run by the genrules in
# deploy/debian/BUILD.bazel; see docs/packaging.md.
set -euo pipefail

usage() { echo "usage: build_deb.sh --package NAME --out FILE --version-file F --copyright F --changelog F --binaries 'B...' [--dlopen SONAME=PREFIX --postinst F --postrm F --units 'U...' --cron 'C...' --restart 'R...' --example-config F --example-template F --docs 'D...']" >&2; exit 64; }
package= out= version_file= copyright= changelog= postinst= postrm= example_config= example_template=
binaries= units= cron= restart= docs= dlopen=
while [ $# -gt 0 ]; do
  case $1 in
    --package) package=$2;; --out) out=$2;; --version-file) version_file=$2;;
    --copyright) copyright=$2;; --changelog) changelog=$2;; --postinst) postinst=$2;; --postrm) postrm=$2;;
    --binaries) binaries=$2;; --dlopen) dlopen=$2;; --units) units=$2;; --cron) cron=$2;; --restart) restart=$2;; --docs) docs=$2;;
    --example-config) example_config=$2;; --example-template) example_template=$2;;
    *) usage;;
  esac
  shift 2
done
[ -n "$package" ] && [ -n "$out" ] && [ -n "$version_file" ] && [ -n "$binaries" ] || usage
for tool in dpkg-deb dpkg-shlibdeps help2man strip strings cc gzip; do
  command -v "$tool" >/dev/null || { echo "build_deb.sh: $tool is missing (bash deploy/setup.sh installs it)" >&2; exit 69; }
done

version=$(tr -d '[:space:]' <"$version_file")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
doc=$root/usr/share/doc/$package
install -d -m 755 "$root/DEBIAN" "$root/usr/bin" "$doc" "$root/usr/share/man/man1"

# Hand-install paths (docs/sync.md) -> packaged paths.
packaged_paths() {
  sed -e 's#/usr/local/bin/secretsync-#/usr/bin/secretsync-#g' \
      -e 's#/usr/local/lib/secretsync/#/usr/lib/secretsync/#g' \
      -e 's#/usr/local/share/doc/secretsync/#/usr/share/doc/secretsync/#g'
}

describe() {  # one line per tool for its man page's NAME section
  case $1 in
    sync) echo "render a deployment's .env from Infisical, atomically, mode 0600";;
    rotate) echo "rotate a secret end to end: Infisical, PostgreSQL role password, .env, restart";;
    keygen) echo "generate secrets with the OS CSPRNG; create a spec's missing secrets in Infisical";;
    agent) echo "gRPC agent: lets a central host trigger syncs on this host over mTLS";;
    fanout) echo "trigger syncs on many secretsync agents at once";;
    hub) echo "receive Infisical webhooks and fan the sync out to the agents";;
    devserver) echo "an Infisical-API-compatible local server for demos and tests";;
    *) echo "secretsync tool";;
  esac
}

installed=()
for b in $binaries; do
  name=$(basename "$b")
  dest=$root/usr/bin/secretsync-$name
  install -m 755 "$b" "$dest"
  strip --remove-section=.comment --remove-section=.note --strip-unneeded "$dest"
  installed+=("$dest")
  help2man --no-info --no-discard-stderr --version-string="$version" --name="$(describe "$name")" \
    --section=1 --output="$work/secretsync-$name.1" "$dest" >/dev/null
  gzip -9n <"$work/secretsync-$name.1" >"$root/usr/share/man/man1/secretsync-$name.1.gz"
done

for u in $units; do
  install -d -m 755 "$root/lib/systemd/system"
  packaged_paths <"$u" >"$root/lib/systemd/system/$(basename "$u")"
done
conffiles=()
# The restart helper (docs/agent.md): its two scripts, the tmpfiles.d entry
# for the request folders, and the example allow-list as a conffile.
for r in $restart; do
  case $r in
    *.tmpfiles) install -d -m 755 "$root/usr/lib/tmpfiles.d"
                packaged_paths <"$r" >"$root/usr/lib/tmpfiles.d/secretsync-restart.conf";;
    *.services) install -d -m 755 "$root/etc/secretsync/restart"
                install -m 644 "$r" "$root/etc/secretsync/restart/$(basename "$r")"
                conffiles+=("/etc/secretsync/restart/$(basename "$r")");;
    *) install -d -m 755 "$root/usr/lib/secretsync"
       packaged_paths <"$r" >"$root/usr/lib/secretsync/$(basename "$r")"
       chmod 755 "$root/usr/lib/secretsync/$(basename "$r")";;
  esac
done
for c in $cron; do
  case $c in
    *.cron) install -d -m 755 "$doc/examples"; packaged_paths <"$c" >"$doc/examples/$(basename "$c")";;
    *) install -d -m 755 "$root/usr/lib/secretsync"
       packaged_paths <"$c" >"$root/usr/lib/secretsync/$(basename "$c")"
       chmod 755 "$root/usr/lib/secretsync/$(basename "$c")";;
  esac
done
if [ -n "$example_config" ]; then
  install -d -m 750 "$root/etc/secretsync"
  install -m 644 "$example_config" "$root/etc/secretsync/glitchtip.textproto"
  install -m 644 "$example_template" "$root/etc/secretsync/glitchtip.env.template"
  conffiles+=(/etc/secretsync/glitchtip.textproto /etc/secretsync/glitchtip.env.template)
fi
for d in $docs; do packaged_paths <"$d" >"$doc/$(basename "$d")"; done
install -m 644 "$copyright" "$doc/copyright"
# The changelog's version and date come from VERSION and the commit (the
# workspace status), so the version lives in one place.
maintainer="secretsync maintainers <maintainers@secretsync.example.org>"
changed=$(sed -n 's/^STABLE_SECRETSYNC_COMMIT_DATE //p' bazel-out/stable-status.txt 2>/dev/null || true)
{
  printf '%s (%s) unstable; urgency=medium\n\n' "$package" "$version"
  cat "$changelog"
  printf '\n -- %s  %s\n' "$maintainer" "${changed:-Thu, 01 Jan 1970 00:00:00 +0000}"
} | gzip -9n >"$doc/changelog.gz"
find "$root" -path "$root/DEBIAN" -prune -o -type f -exec chmod go-w {} +

# Depends: from the binaries' ELF needs, as dh_shlibdeps does.
mkdir -p "$work/shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: amd64\n' "$package" "$package" >"$work/shlibs/debian/control"
# A library the binaries dlopen() (--dlopen libcurl.so.4=curl_) is not in
# their ELF needs: a stub linked against it, calling every symbol with that
# prefix the binaries name, lets dpkg-shlibdeps compute its dependency too.
objects=("${installed[@]}")
for d in $dlopen; do
  soname=${d%%=*} prefix=${d#*=}
  symbols=$(strings -a "${installed[@]}" | { grep -xE "${prefix}[a-z_]+" || true; } | sort -u)
  [ -n "$symbols" ] || continue
  { for s in $symbols; do echo "extern void $s(void);"; done
    echo "int main(void) {"; for s in $symbols; do echo "  $s();"; done; echo "  return 0;"; echo "}"
  } >"$work/dlopen_stub.c"
  cc -o "$work/shlibs/dlopen-${soname%%.so*}" "$work/dlopen_stub.c" -Wl,--no-as-needed "-l:$soname"
  objects+=("$work/shlibs/dlopen-${soname%%.so*}")
done
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O "${objects[@]}" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "build_deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 70; }
[ "$package" = secretsync ] && depends="$depends, adduser"

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
{
  echo "Package: $package"
  echo "Version: $version"
  echo "Architecture: amd64"
  echo "Maintainer: $maintainer"
  echo "Installed-Size: $installed_size"
  echo "Depends: $depends"
  echo "Section: admin"
  echo "Priority: optional"
  if [ "$package" = secretsync ]; then
    echo "Description: keep self-hosted deployments' secrets in sync with Infisical"
    echo " secretsync renders .env files from a .env.template with secrets fetched from"
    echo " Infisical (atomically, mode 0600, quoted so docker compose reads back exactly"
    echo " the stored bytes), rotates secrets including PostgreSQL role passwords"
    echo " without losing one, generates keys, and lets a central host trigger syncs"
    echo " through a gRPC agent over mTLS. The systemd units are installed but not"
    echo " enabled."
  else
    echo "Description: Infisical-API-compatible dev server for secretsync demos and tests"
    echo " A local server speaking the subset of the Infisical HTTP API that secretsync"
    echo " uses, with the same JSON and error shapes. For demos and tests only: it is"
    echo " not part of the production package."
  fi
} >"$root/DEBIAN/control"
for s in postinst postrm; do
  f=${!s}
  [ -z "$f" ] || install -m 755 "$f" "$root/DEBIAN/$s"
done
[ "${#conffiles[@]}" -eq 0 ] || printf '%s\n' "${conffiles[@]}" >"$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
  >"$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
[ ! -f "$root/DEBIAN/conffiles" ] || chmod 644 "$root/DEBIAN/conffiles"

dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
