// Tells GnuTLS not to initialise itself when it is loaded.
//
// Debian's libcurl4 does its TLS with OpenSSL, but it links librtmp and
// libldap, which pull in libgnutls.so.30; GnuTLS's load-time constructor then
// reads /etc/gnutls/config, sets up p11-kit and its ASN.1 tables: ~50 page
// faults and up to a millisecond of every one-shot run (issue N's profile,
// docs/benchmarks.md), for a library these tools never call (the transport
// allows only http and https, which curl serves with OpenSSL).
//
// This is GnuTLS's documented switch (GNUTLS_SKIP_GLOBAL_INIT in
// <gnutls/gnutls.h>): its constructor calls the weak _gnutls_global_init_skip,
// which a binary overrides by exporting its own. The BUILD rule exports the
// symbol (libcurl is dlopen-ed, so nothing else would), and only the binaries
// that load GnuTLS through libcurl alone link this library: a binary whose
// other libraries use GnuTLS (libpq's LDAP lookups in rotate) must not.
extern "C" int _gnutls_global_init_skip(void);
extern "C" int _gnutls_global_init_skip(void) { return 1; }
