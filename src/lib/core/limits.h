/* limits.h - every size limit of libsmtpdx, each with its reason
 * Input beyond a limit is cut and flagged, never a crash, never silently lost:
 * the caller sees a flag and can count it. */
#ifndef SDX_LIMITS_H
#define SDX_LIMITS_H

/* One reply line. RFC 5321 §4.5.3.1.5 allows 512 octets with CRLF; some
 * servers and most log renderings (Postfix joins multi-line replies into one
 * log line) send more. Longer lines are cut and flagged, never dropped. */
#define SDX_REPLY_LINE_MAX    4096
/* Lines of one multi-line reply. RFC 5321 sets no limit; real replies stay
 * under 20 (EHLO answers). Later lines are counted, not kept. */
#define SDX_REPLY_LINES_MAX   128
/* The joined text of one reply (without codes). Gmail's longest documented
 * replies are under 1 KiB; 16 KiB keeps every real one whole. */
#define SDX_REPLY_TEXT_MAX    16384
/* Whole input handed to sdx_reply_parse(): more is ignored and flagged. */
#define SDX_REPLY_INPUT_MAX   65536
/* Remote host name in a rendering: RFC 1035 §2.3.4, 255 octets. */
#define SDX_HOST_MAX          255
/* Fragment hits remembered while classifying one reply: more than this many
 * distinct matches means the text is pathological; extra hits are ignored. */
#define SDX_CLASSIFY_HITS_MAX 256
/* Length of one explain argument or stdin reply read by the command. */
#define SDX_EXPLAIN_INPUT_MAX SDX_REPLY_INPUT_MAX

#endif
