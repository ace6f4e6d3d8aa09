/* dynlib.h - a shared library loaded on first use (dlopen), not at start
 * Why: libarchive (for compressed logs) brings libxml2 and ICU, libcurl
 *      (for MTA-STS policies) brings GnuTLS, Kerberos and LDAP: linked at
 *      build time they cost every run of every command 16 ms of loading
 *      (measured: 10.8 ms for an empty program with OpenSSL, libunbound,
 *      libidn2 and libpsl; 17.8 with libarchive; 26.8 with libcurl too),
 *      though most runs use neither. They are still the libraries that do
 *      the job; only the moment they are loaded changes.
 * How: one table of symbol names, resolved once (thread-safe); the soname
 *      is the one the build compiled against (Debian 12). */
#ifndef SDX_DYNLIB_H
#define SDX_DYNLIB_H

#include <stddef.h>

struct sdx_dynlib {
    const char        *soname;      /* "libcurl.so.4" */
    const char *const *names;       /* the symbols, n of them */
    size_t             n;
    void             **fns;         /* filled in: fns[i] for names[i] */
    int                state;       /* 0 not tried, 1 loaded, -1 failed */
    char               error[200];
};

/* sdx_dynlib_load - load lib once (later calls return the first result);
 * 0, or -1 with lib->error saying what is missing */
int sdx_dynlib_load(struct sdx_dynlib *lib);

#endif
