/* dnswire.h - reading and writing the DNS forms every lookup here needs:
 * names in wire format (MX, PTR rdata), TXT rdata's character-strings,
 * reverse-lookup names (PTR, DNSBL). One place, used by mx.c, dnsbl.c,
 * spf_eval.c and check.c; the rdata is untrusted and bounded by its length. */
#ifndef SDX_DNSWIRE_H
#define SDX_DNSWIRE_H

#include <stddef.h>

/* dns_name - a wire-format name (no compression: libunbound expands it) at
 * p[0..n) into out, dotted, without the root's dot ("" for the root);
 * hostname: refuse any byte but letters, digits, '-' and '_'. The bytes
 * used, or 0 when it does not parse or fit. */
size_t dns_name(const unsigned char *p, size_t n, char *out, size_t cap, int hostname);
/* dns_txt - the character-strings of one TXT rdata joined (RFC 7208
 * section 3.3) into out, NUL-terminated, cut at cap - 1; its length */
size_t dns_txt(const unsigned char *p, size_t n, char *out, size_t cap);
/* dns_reverse - ip (4 bytes, or 16 with v6) in reverse-lookup form: octets
 * or nibbles reversed, dot-separated, then ".suffix" (in-addr.arpa,
 * ip6.arpa, a blocklist's zone); 0, or -1 when it does not fit */
int dns_reverse(const unsigned char *ip, int v6, const char *suffix, char *out, size_t cap);

#endif
