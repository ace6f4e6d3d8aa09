/* ses.c - Amazon SES notifications sent as e-mail (through Amazon SNS)
 * In:  a text that may hold an SES notification object (JSON), untrusted.
 * Out: its type (Bounce, Complaint, Delivery) and per recipient the
 *      address, status, action and diagnostic (SES's documented fields:
 *      notificationType; bounce.bouncedRecipients[].emailAddress, action,
 *      status, diagnosticCode; complaint.complainedRecipients[].emailAddress
 *      and complaintFeedbackType; delivery.recipients[] and smtpResponse;
 *      docs.aws.amazon.com/ses/latest/dg/notification-contents.html).
 * Not a JSON parser: the notification is one flat-enough object whose
 * string members are read by name, in order, within bounds. A key is only
 * taken as a key when followed by ':'; escapes in values are kept as they
 * are (the values read are addresses, codes and reply texts). None of the
 * project's Debian dependencies parses JSON, and five string members do not
 * earn one. */
#include <string.h>
#include "bounce_int.h"
#include "core/jsonscan.h"

int bounce_ses(const char *p, size_t n, struct ses *s)
{
    size_t off = 0, vs, vn, start, i;
    const char *list, *addr_key = "emailAddress";

    memset(s, 0, sizeof(*s));
    if (!sdx__json_str(p, n, &off, "notificationType", &vs, &vn))
        return 0;
    if (vn == 6 && memcmp(p + vs, "Bounce", 6) == 0)
        s->type = SES_BOUNCE, list = "bouncedRecipients";
    else if (vn == 9 && memcmp(p + vs, "Complaint", 9) == 0)
        s->type = SES_COMPLAINT, list = "complainedRecipients";
    else if (vn == 8 && memcmp(p + vs, "Delivery", 8) == 0)
        s->type = SES_DELIVERY, list = NULL;
    else
        return 0;
    off = 0;
    if (s->type == SES_COMPLAINT && sdx__json_str(p, n, &off, "complaintFeedbackType", &vs, &vn))
        s->feedback = (struct sdx_str){ p + vs, vn };
    off = 0;
    if (s->type == SES_DELIVERY) {
        /* "delivery":{...,"recipients":["a@b"],...,"smtpResponse":"250 ..."} */
        const char *d = bounce_memmem_ci(p, n, "\"delivery\"");
        size_t ds = d ? (size_t)(d - p) : 0, k;

        off = ds;
        if (sdx__json_str(p, n, &off, "smtpResponse", &vs, &vn))
            s->response = (struct sdx_str){ p + vs, vn };
        d = bounce_memmem_ci(p + ds, n - ds, "\"recipients\"");
        if (!d)
            return s->type;
        for (k = (size_t)(d - p) + 12; k < n && p[k] != '[' && p[k] != '{'; k++)
            ;
        for (k++; k < n && p[k] != ']' && s->n < SES_RCPT_MAX; k++) {
            if (p[k] == '"') {
                size_t e = k + 1;

                while (e < n && p[e] != '"')
                    e++;
                if (e >= n)
                    break;
                s->r[s->n++].addr = (struct sdx_str){ p + k + 1, e - k - 1 };
                k = e;
            }
        }
        return s->type;
    }
    {
        const char *l = bounce_memmem_ci(p, n, list);

        if (!l)
            return s->type;
        start = (size_t)(l - p);
    }
    /* each recipient object: emailAddress, then its other members up to the
     * next emailAddress */
    off = start;
    while (s->n < SES_RCPT_MAX && sdx__json_str(p, n, &off, addr_key, &vs, &vn)) {
        size_t next = off, ns, nn, lim, o;

        s->r[s->n].addr = (struct sdx_str){ p + vs, vn };
        lim = sdx__json_str(p, n, &next, addr_key, &ns, &nn) ? ns : n;
        /* the object ends at its closing brace at most */
        for (i = off; i < lim && p[i] != '}'; i++)
            ;
        lim = i;
        o = off;
        if (sdx__json_str(p, lim, &o, "status", &ns, &nn))
            s->r[s->n].status = (struct sdx_str){ p + ns, nn };
        o = off;
        if (sdx__json_str(p, lim, &o, "action", &ns, &nn))
            s->r[s->n].action = (struct sdx_str){ p + ns, nn };
        o = off;
        if (sdx__json_str(p, lim, &o, "diagnosticCode", &ns, &nn))
            s->r[s->n].diag = (struct sdx_str){ p + ns, nn };
        /* members may come before emailAddress in the object too */
        for (i = vs; i > start && p[i] != '{'; i--)
            ;
        o = i;
        if (!s->r[s->n].status.len && sdx__json_str(p, vs, &o, "status", &ns, &nn))
            s->r[s->n].status = (struct sdx_str){ p + ns, nn };
        o = i;
        if (!s->r[s->n].diag.len && sdx__json_str(p, vs, &o, "diagnosticCode", &ns, &nn))
            s->r[s->n].diag = (struct sdx_str){ p + ns, nn };
        o = i;
        if (!s->r[s->n].action.len && sdx__json_str(p, vs, &o, "action", &ns, &nn))
            s->r[s->n].action = (struct sdx_str){ p + ns, nn };
        s->n++;
        if (off < lim)
            off = lim;
    }
    return s->type;
}
