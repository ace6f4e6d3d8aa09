/* fuzz_spf.c - libFuzzer target for the SPF record parser and the macro
 * expander (spf.h, spf_int.h)
 * In:  any bytes as a TXT record's text; the same bytes as a macro-string
 *      (domain-spec and explanation forms).
 * Out: nothing; aborts when an invariant breaks: a parse that succeeds on
 *      text that is not "v=spf1..", more terms than the limit, a term
 *      outside the record's text, CIDR lengths out of range, an accepted
 *      macro-string the expander refuses for syntax, an expansion that
 *      overruns its buffer.
 * Seeds: fuzz/corpus/spf/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "smtpdx/spf.h"
#include "spf/spf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static struct sdx_spf_record rec;

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    const char *s = (const char *)d;
    struct spf_macro_env e;
    char out[512];
    size_t i;
    int x, exp;

    if (sdx_spf_parse(s, n, &rec) == 0) {
        if (!sdx_spf_is_record(s, n) || rec.n > SDX_SPF_TERMS_MAX)
            abort();
        for (i = 0; i < rec.n; i++) {
            const struct sdx_spf_term *t = &rec.term[i];

            if (t->text < rec.text || t->text + t->text_len > rec.text + rec.len)
                abort();
            if (t->spec && (t->spec < t->text || t->spec + t->spec_len > t->text + t->text_len))
                abort();
            if (t->cidr4 > 128 || t->cidr6 > 128 || t->cidr4 < -1 || t->cidr6 < -1)
                abort();
        }
    }
    memset(&e, 0, sizeof(e));
    e.sender = "user@example.com", e.local = "user", e.sdomain = "example.com";
    e.domain = "example.com", e.helo = "mail.example.com";
    e.ip[0] = 192, e.ip[1] = 0, e.ip[2] = 2, e.ip[3] = 1;
    for (exp = 0; exp < 2; exp++) {
        x = spf_expand(&e, s, n, exp, out, sizeof(out));
        if (x >= (int)sizeof(out) || (x >= 0 && strlen(out) != (size_t)x))
            abort();
        /* what the checker accepts, the expander can expand (or finds too long) */
        if (sdx_spf_macro_check(s, n, exp) && x < 0 && n * 3 + 200 < sizeof(out) && memchr(s, '{', n) == NULL)
            abort();
    }
    (void)spf_domain_fit(out);
    return 0;
}
