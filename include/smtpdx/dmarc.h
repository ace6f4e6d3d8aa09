/* dmarc.h - DMARC policy records: RFC 9989 (DMARCbis) and RFC 7489
 * In:  the text of a TXT record at _dmarc.DOMAIN.
 * Out: the tags read (p sp np adkim aspf psd t fo rua ruf; pct rf ri, which
 *      RFC 9989 removed, read to warn about them), errors (the record is
 *      not used: a receiver then acts as if there were none) and warnings
 *      (the record works, but not as its author may think), each with the
 *      tag and the RFC. Tags and keywords are read in any case, with
 *      blanks around "=" and ";" (RFC 7489 section 6.4).
 * Limits: SDX_DMARC_URIS_MAX report addresses per tag, SDX_DMARC_NOTES_MAX
 *      warnings (more are counted). */
#ifndef SMTPDX_DMARC_H
#define SMTPDX_DMARC_H

#include <stddef.h>
#include "error.h"

#define SDX_DMARC_URIS_MAX  8
#define SDX_DMARC_NOTES_MAX 8

enum sdx_dmarc_policy { SDX_DMARC_UNSET = -1, SDX_DMARC_NONE, SDX_DMARC_QUARANTINE, SDX_DMARC_REJECT };

struct sdx_dmarc_record {
    enum sdx_dmarc_policy p, sp, np;
    char   adkim, aspf;                 /* 'r' or 's' ('r' when not given) */
    char   psd, t;                      /* 'y' 'n' 'u' / 'y' 'n'; 0 not given */
    int    pct;                         /* -1 not given */
    char   fo[16];
    char   rua[SDX_DMARC_URIS_MAX][256], ruf[SDX_DMARC_URIS_MAX][256];
    size_t nrua, nruf;
    char   error[200];                  /* why the record is not used, "" */
    char   warn[SDX_DMARC_NOTES_MAX][200];
    size_t nwarn, warns_lost;
};

/* sdx_dmarc_parse - read txt (len bytes) into r; 0 (warnings may be
 * set), or SDX_EPARSE with r->error: not a DMARC record, a tag twice, a
 * value no RFC allows */
SDX_API SDX_NODISCARD int sdx_dmarc_parse(const char *txt, size_t len, struct sdx_dmarc_record *r);
SDX_API const char *sdx_dmarc_policy_name(enum sdx_dmarc_policy p);
/* sdx_dmarc_uri_domain - the domain of a mailto: report address ("" for
 * others) into out; for RFC 9990's external-destination check */
SDX_API void sdx_dmarc_uri_domain(const char *uri, char *out, size_t cap);

#endif
