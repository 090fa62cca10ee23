#!/usr/bin/env bash
# startup_bench: where a warm sync's time goes (issue N's profile), as
# whole-process wall times of interleaved runs (bench_lib.sh):
#   /bin/true                        the exec of any process on this machine
#   probe                            a C program that does nothing
#   probe + OpenSSL init             ... that links libcrypto and hashes once
#                                    (OpenSSL 3 reads openssl.cnf, loads its
#                                    default provider)
#   probe + dlopen libcurl           ... that loads libcurl.so.4 (Debian's,
#                                    with its ~30 libraries) as sync does,
#                                    and runs curl_global_init
#   sync --version                   our binary's own start, no HTTP
#   curl -s GET list                 the baseline of sync_bench a.
#   sync (warm, up to date)          sync_bench a.
# the cost of anonymous page faults (4 KiB vs one 2 MiB huge page), and the
# dynamic loader's statistics of sync --version. The probes are
# compiled here with cc (gcc, from deploy/setup.sh). No secret is printed.
#
#   bash tests/bench/startup_bench.sh          # RUNS=40
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"

RUNS=${RUNS:-40}
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 10000 ] || { echo "RUNS must be 1..10000" >&2; exit 64; }
work=$(mktemp -d -t startup-bench.XXXXXX)
SERVER_PID=
cleanup() { bench_stop_devserver; rm -rf "$work"; }
trap cleanup EXIT

bench_build "$work"

cat >"$work/probe.c" <<'C'
#include <dlfcn.h>
#include <string.h>
#ifdef WITH_CRYPTO
#include <openssl/evp.h>
#endif
int main(int argc, char** argv) {
#ifdef WITH_CRYPTO
  unsigned char md[32];
  unsigned int n;
  EVP_Digest("x", 1, md, &n, EVP_sha256(), NULL);
#endif
  if (argc > 1 && strcmp(argv[1], "curl") == 0) {
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) return 1;
    long (*init)(long) = (long (*)(long))dlsym(lib, "curl_global_init");
    if (init == NULL || init(3) != 0) return 1;
  }
  return 0;
}
C
cat >"$work/page_faults.c" <<'C'
/* The cost of first touching 512 pages of anonymous memory, as 4 KiB pages
   and as one 2 MiB transparent huge page (MADV_HUGEPAGE), in microseconds. */
#include <stdio.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
static double touch(int huge) {
  const size_t size = 2u << 20;
  char* raw = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return -1;
  char* p = (char*)(((uintptr_t)raw + size - 1) & ~(uintptr_t)(size - 1));
  madvise(p, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (size_t i = 0; i < size; i += 4096) p[i] = 1;
  clock_gettime(CLOCK_MONOTONIC, &b);
  munmap(raw, 2 * size);
  return (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
}
int main(void) {
  double small = 1e9, huge = 1e9;
  for (int i = 0; i < 5; ++i) {  /* the best of 5 */
    double s = touch(0), h = touch(1);
    if (s >= 0 && s < small) small = s;
    if (h >= 0 && h < huge) huge = h;
  }
  printf("  512 x 4 KiB page faults: %.0f us (%.1f us each); one 2 MiB huge page: %.0f us\n",
         small, small / 512, huge);
  return 0;
}
C
cc -O2 -o "$work/page_faults" "$work/page_faults.c"
cc -O2 -o "$work/probe" "$work/probe.c" -ldl
cc -O2 -DWITH_CRYPTO -o "$work/probe_crypto" "$work/probe.c" -ldl -lcrypto

bench_write_seed "$work/seed.textproto" "$work/client-secret" 0
bench_start_devserver "$work/seed.textproto" "$work"
bench_login "$work/client-secret" "$work/token"
(umask 077; printf 'Authorization: Bearer %s\n' "$(cat "$work/token")" >"$work/auth.hdr")
LIST_URL=$(bench_list_url)
mkdir -p "$work/d"
cp "$BENCH_REPO/deploy/examples/glitchtip/.env.template" "$work/d/"
(umask 077; cp "$work/client-secret" "$work/d/client-secret")
bench_write_config "$work/d" ".env.template"
"$SYNC" --config="$work/d/config.textproto" >/dev/null 2>&1 ||
  { echo "bench: the first sync failed" >&2; exit 1; }

run_true() { /bin/true; }
run_probe() { "$work/probe"; }
run_probe_crypto() { "$work/probe_crypto"; }
run_probe_curl() { "$work/probe" curl; }
run_version() { "$SYNC" --version; }
run_curl() { curl -s -H @"$work/auth.hdr" -o /dev/null "$LIST_URL"; }
run_sync() { "$SYNC" --config="$work/d/config.textproto"; }

echo "startup_bench: $(bench_load); $RUNS interleaved runs each, 3 warm-up"
names=("/bin/true" "probe" "probe + OpenSSL init" "probe + dlopen libcurl" "sync --version"
  "curl -s GET list" "sync (warm, up to date)")
bench_interleave "$RUNS" 3 "$work" "${names[0]}" run_true "${names[1]}" run_probe \
  "${names[2]}" run_probe_crypto "${names[3]}" run_probe_curl "${names[4]}" run_version \
  "${names[5]}" run_curl "${names[6]}" run_sync
bench_table "$work" "/bin/true" "${names[@]}"

med() { bench_median_ms "$work/$1.us"; }
echo
echo "derived (differences of medians, ms):"
awk -v p="$(med probe)" -v c="$(med "probe + OpenSSL init")" -v l="$(med "probe + dlopen libcurl")" \
  -v v="$(med "sync --version")" -v k="$(med "curl -s GET list")" -v s="$(med "sync (warm, up to date)")" \
  'BEGIN {
     printf "  OpenSSL init (libcrypto + first digest):     %7.2f\n", c - p
     printf "  libcurl load + curl_global_init (with OpenSSL): %4.2f\n", l - p
     printf "  sync --version beyond the probe:              %7.2f\n", v - p
     printf "  warm sync beyond sync --version:              %7.2f (of which libcurl %.2f)\n", s - v, l - p
     printf "  warm sync - curl:                             %7.2f\n", s - k
   }'
echo
echo "heap page faults (why the one-shot tools put their heap on huge pages: lib/app/real_system.cc):"
"$work/page_faults"
echo
echo "dynamic loader, sync --version (LD_DEBUG=statistics):"
LD_DEBUG=statistics "$SYNC" --version 2>&1 >/dev/null |
  sed -n 's/^ *[0-9]*: *//; /total startup time\|time needed for relocation\|number of relocations\|relocations from cache\|relative relocations\|objects loaded/p' |
  sed 's/^/  /'
