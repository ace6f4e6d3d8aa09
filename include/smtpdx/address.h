/* address.h - is this string an address an SMTP server would take?
 * One call checks an address three ways at once: as an RFC 5321 Mailbox
 * (what MAIL FROM / RCPT TO accept), as an RFC 5322 addr-spec (what a header
 * may hold: comments, folding white space, obsolete forms), and as an
 * RFC 6531 SMTPUTF8 mailbox (UTF-8 local part, U-label domain, checked with
 * libidn2 under IDNA2008). Every problem found is a finding: one bit in
 * out->flags, one row in SDX_ADDR_FINDINGS with its name, severity class,
 * the reply a receiving server would likely give, the RFC section and a one
 * sentence explanation. The most severe finding is the diagnosis.
 * Malformed input is a finding, never an error; the input is never read past
 * n and nothing is allocated from sizes the input declares. */
#ifndef SMTPDX_ADDRESS_H
#define SMTPDX_ADDRESS_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"

/* Longest input examined. RFC 5321 §4.5.3.1.3 caps a path at 256 octets and
 * §4.5.3.1.4 a command line at 512; 4096 leaves room for pasted header
 * addresses with comments and folding while keeping every check linear and
 * cheap. Longer input is not parsed: it gets SDX_ADDR_INPUT_TOO_LONG. */
#define SDX_ADDR_INPUT_MAX 4096

/* Options for sdx_address_check(), or-ed together. */
#define SDX_ADDR_O_SMTPUTF8 0x01u /* the server offered SMTPUTF8 (RFC 6531 §3.1) and the
                                   * client will use it: non-ASCII is then no refusal */
#define SDX_ADDR_O_ANGLE    0x02u /* input is the RFC 5321 Path form "<...>": brackets are
                                   * required and stripped, a source route is skipped,
                                   * "<>" and "<Postmaster>" are understood */
#define SDX_ADDR_O_SENDER   0x04u /* the address is a MAIL FROM reverse-path: "<>" is valid,
                                   * refusals are 501 and 5.1.7 (RFC 5321 §4.1.4, RFC 3463),
                                   * 550 5.6.7 for non-ASCII (RFC 6531 §3.5) */

/* Severity classes of findings, least severe first. */
enum sdx_addr_class {
    SDX_ADDR_C_OK = 0,  /* worth saying, nothing wrong ("<>" as sender) */
    SDX_ADDR_C_WARN,    /* valid RFC 5321 Mailbox, but unusual: some servers refuse it */
    SDX_ADDR_C_UTF8,    /* valid only with SMTPUTF8 (RFC 6531) */
    SDX_ADDR_C_5322,    /* a valid RFC 5322 addr-spec (header syntax), not an SMTP Mailbox */
    SDX_ADDR_C_ERROR    /* not an address under any of the grammars */
};

/* The findings: one X-macro list, the single source of names and texts.
 * X(ID, name, class, reply code, enhanced status, RFC reference, explanation)
 * Within a class, earlier rows are more important: the diagnosis is the most
 * severe class present, and in it the first row present. The reply is what a
 * strict receiving server would likely answer to RCPT TO with this address:
 * 501 "syntax error in parameters or arguments" (RFC 5321 §4.2.2; Postfix:
 * "501 5.1.3 Bad recipient address syntax") for text that is no address at
 * all and for non-LDH domains (§4.1.2 requires 501 there), 553 "mailbox name
 * not allowed (e.g., mailbox syntax incorrect)" (§4.2.3) for header-only
 * forms, 501 "Path too long" (§4.5.3.1.9) for length limits, 553 5.6.7 for
 * non-ASCII without SMTPUTF8 (RFC 6531 §3.5); 0 and "" where a server would
 * accept. X.1.3 is "bad destination mailbox address syntax" (RFC 3463 §3.2).
 * With SDX_ADDR_O_SENDER the answer to MAIL FROM is given instead: 501 for
 * every refused argument (RFC 5321 §4.1.4), X.1.7 "bad sender's mailbox
 * address syntax" for X.1.3, and 550 5.6.7 (RFC 6531 §3.5). */
#define SDX_ADDR_FINDINGS(X)                                                                   \
    /* ---- errors: no grammar accepts the text ---- */                                        \
    X(EMPTY, "empty", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",                           \
      "the address is empty; a Mailbox is Local-part \"@\" Domain (RFC 5321 section 4.1.2)")   \
    X(INPUT_TOO_LONG, "input-too-long", ERROR, 500, "5.5.2", "RFC 5321 section 4.5.3.1.4",     \
      "the input is longer than 4096 octets and was not parsed; an SMTP command line is at "   \
      "most 512 octets (RFC 5321 section 4.5.3.1.4)")                                          \
    X(LINE_BREAK, "line-break", ERROR, 501, "5.1.3", "RFC 5322 section 3.2.2",                 \
      "a CR or LF is not part of a valid fold (CRLF followed by a space or tab, RFC 5322 "     \
      "section 3.2.2); in SMTP a line break ends the command (RFC 5321 section 2.3.8)")        \
    X(CONTROL_CHAR, "control-char", ERROR, 501, "5.1.3", "RFC 5322 section 3.2.3",             \
      "a control character (NUL, C0, DEL or C1) appears where no grammar allows one "          \
      "(RFC 5322 section 3.2.3 atext, RFC 5198 section 2)")                                    \
    X(UTF8_INVALID, "utf8-invalid", ERROR, 501, "5.1.3", "RFC 3629 section 4",                 \
      "the address contains bytes that are not valid UTF-8 (RFC 3629 section 4); RFC 6531 "    \
      "and RFC 6532 allow non-ASCII only as UTF-8")                                            \
    X(PATH_SYNTAX, "path-syntax", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",               \
      "the path is not \"<\" [source route \":\"] Mailbox \">\": a bracket is missing or the " \
      "source route is malformed (RFC 5321 section 4.1.2)")                                    \
    X(NULL_PATH_RECIPIENT, "null-path-recipient", ERROR, 501, "5.1.3",                         \
      "RFC 5321 section 4.1.1.3",                                                              \
      "the null path \"<>\" is only valid as a MAIL FROM reverse-path, never as a recipient "  \
      "(RFC 5321 section 4.1.1.3)")                                                            \
    X(NO_AT, "no-at", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",                           \
      "there is no \"@\" separating local part and domain (RFC 5321 section 4.1.2 Mailbox)")   \
    X(MULTIPLE_AT, "multiple-at", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",               \
      "there is more than one unquoted \"@\"; an \"@\" in the local part must be inside a "    \
      "quoted string (RFC 5321 section 4.1.2)")                                                \
    X(NO_LOCAL, "no-local", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",                     \
      "the local part before the \"@\" is empty (RFC 5321 section 4.1.2 Local-part)")          \
    X(NO_DOMAIN, "no-domain", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",                   \
      "the domain after the \"@\" is empty (RFC 5321 section 4.1.2 Domain)")                   \
    X(QUOTE_UNCLOSED, "quote-unclosed", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",         \
      "a quoted string has no closing double quote (RFC 5321 section 4.1.2 Quoted-string)")    \
    X(COMMENT_UNCLOSED, "comment-unclosed", ERROR, 501, "5.1.3", "RFC 5322 section 3.2.2",     \
      "a comment has no closing parenthesis (RFC 5322 section 3.2.2)")                         \
    X(LITERAL_UNCLOSED, "domain-literal-unclosed", ERROR, 501, "5.1.3",                        \
      "RFC 5321 section 4.1.3",                                                                \
      "a domain literal has no closing \"]\" (RFC 5321 section 4.1.3, RFC 5322 section 3.4.1)")\
    X(BACKSLASH_END, "backslash-at-end", ERROR, 501, "5.1.3", "RFC 5322 section 3.2.1",        \
      "the input ends with a backslash that quotes nothing (RFC 5322 section 3.2.1 "           \
      "quoted-pair)")                                                                          \
    X(LOCAL_DOT_START, "local-dot-start", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",       \
      "the local part starts with a dot; dots may only join atoms (RFC 5321 section 4.1.2 "    \
      "Dot-string)")                                                                           \
    X(LOCAL_DOT_END, "local-dot-end", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",           \
      "the local part ends with a dot; dots may only join atoms (RFC 5321 section 4.1.2 "      \
      "Dot-string)")                                                                           \
    X(LOCAL_DOUBLE_DOT, "local-double-dot", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",     \
      "the local part has two dots in a row; an unquoted local part cannot have an empty "     \
      "atom (RFC 5321 section 4.1.2 Dot-string)")                                              \
    X(LOCAL_BAD_CHAR, "local-bad-char", ERROR, 501, "5.1.3", "RFC 5322 section 3.2.3",         \
      "the local part has a character that is only allowed inside a quoted string, such as "   \
      "\\ , ; : < > [ ] ( ) (RFC 5322 section 3.2.3 atext)")                                   \
    X(MISSING_DOT, "missing-dot", ERROR, 501, "5.1.3", "RFC 5322 section 3.4.1",               \
      "two words follow each other without a dot between them, e.g. after a space, a comment " \
      "or a quoted string (RFC 5322 sections 3.4.1 and 4.4)")                                  \
    X(DOMAIN_DOT_START, "domain-dot-start", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",     \
      "the domain starts with a dot (RFC 5321 section 4.1.2 Domain)")                          \
    X(DOMAIN_DOT_END, "domain-dot-end", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",         \
      "the domain ends with a dot; the root dot of a DNS name is not written in an address "   \
      "(RFC 5321 section 4.1.2 Domain)")                                                       \
    X(DOMAIN_DOUBLE_DOT, "domain-double-dot", ERROR, 501, "5.1.3", "RFC 5321 section 4.1.2",   \
      "the domain has two dots in a row, an empty label (RFC 5321 section 4.1.2 Domain)")      \
    X(DOMAIN_BAD_CHAR, "domain-bad-char", ERROR, 501, "5.1.3", "RFC 5322 section 3.4.1",       \
      "the domain has a character no grammar allows there, such as \\ , ; < > \" or a "        \
      "bracket after a label (RFC 5322 section 3.4.1, RFC 5321 section 4.1.2)")                \
    X(TEXT_AFTER_LITERAL, "text-after-domain-literal", ERROR, 501, "5.1.3",                    \
      "RFC 5321 section 4.1.3",                                                                \
      "there is text after the closing \"]\"; a domain literal is the whole domain (RFC 5321 " \
      "section 4.1.3)")                                                                        \
    X(LITERAL_BAD_CHAR, "domain-literal-bad-char", ERROR, 501, "5.1.3",                        \
      "RFC 5322 section 3.4.1",                                                                \
      "a domain literal contains \"[\", which not even the obsolete syntax allows (RFC 5322 "  \
      "section 3.4.1 dtext)")                                                                  \
    /* ---- header-only: a valid RFC 5322 addr-spec, not an RFC 5321 Mailbox ---- */         \
    X(LITERAL_IPV6_NO_TAG, "address-literal-ipv6-no-tag", 5322, 553, "5.1.3",                 \
      "RFC 5321 section 4.1.3",                                                                \
      "an IPv6 address literal must start with the tag \"IPv6:\" (RFC 5321 section 4.1.3)")    \
    X(LITERAL_IPV6_GROUPS, "address-literal-ipv6-groups", 5322, 553, "5.1.3",                 \
      "RFC 5321 section 4.1.3",                                                                \
      "the IPv6 literal uses \"::\" for a single zero group; RFC 5321 section 4.1.3 allows at "\
      "most 6 groups (4 before an IPv4 part) besides \"::\", though RFC 4291 and inet_pton "   \
      "accept it")                                                                             \
    X(LITERAL_BAD_IPV6, "address-literal-bad-ipv6", 5322, 553, "5.1.3",                       \
      "RFC 5321 section 4.1.3",                                                                \
      "the text after \"IPv6:\" is no IPv6 address: wrong group count, bad hex, a lone colon " \
      "at an end or more than one \"::\" (RFC 5321 section 4.1.3)")                            \
    X(LITERAL_BAD_IPV4, "address-literal-bad-ipv4", 5322, 553, "5.1.3",                       \
      "RFC 5321 section 4.1.3",                                                                \
      "the domain literal is no IPv4 address: four decimal numbers 0-255 joined by dots "      \
      "(RFC 5321 section 4.1.3 IPv4-address-literal)")                                         \
    X(LITERAL_UNKNOWN_TAG, "address-literal-unknown-tag", 5322, 553, "5.1.3",                 \
      "RFC 5321 section 4.1.3",                                                                \
      "the literal has a tag other than \"IPv6\"; a General-address-literal tag must be "      \
      "standardized and registered with IANA (RFC 5321 section 4.1.3)")                        \
    X(LITERAL_OBS, "domain-literal-obsolete", 5322, 553, "5.1.3", "RFC 5322 section 4.4",      \
      "the domain literal contains control characters or backslash pairs, obsolete header "    \
      "syntax (RFC 5322 section 4.4 obs-dtext) that SMTP never accepts")                       \
    X(LITERAL_NOT_SMTP, "domain-literal-not-smtp", 5322, 553, "5.1.3",                         \
      "RFC 5321 section 4.1.3",                                                                \
      "the domain literal is valid header syntax but no address literal (IPv4, \"IPv6:\" or "  \
      "tagged) as SMTP requires (RFC 5321 section 4.1.3)")                                     \
    X(IDN_INVALID, "domain-idn-invalid", 5322, 501, "5.1.3", "RFC 5891 section 5.4",           \
      "the non-ASCII domain is no IDNA2008 U-label (disallowed or unassigned code point, bad " \
      "hyphens or bidi), so it has no A-label and SMTPUTF8 refuses it (RFC 6531 section 3.3, " \
      "RFC 5891 section 5.4, RFC 5892), though RFC 6532 headers still parse it")               \
    X(DOMAIN_NOT_LDH, "domain-not-ldh", 5322, 501, "5.1.3", "RFC 5321 section 4.1.2",          \
      "a domain label has characters other than letters, digits and hyphens, such as _ / !; "  \
      "RFC 5321 section 4.1.2 says servers MUST refuse them with 501 (RFC 1035 section 2.3.1)")\
    X(DOMAIN_HYPHEN, "domain-hyphen", 5322, 501, "5.1.3", "RFC 5321 section 4.1.2",            \
      "a domain label starts or ends with a hyphen (RFC 5321 section 4.1.2 Let-dig, RFC 5890 " \
      "section 2.3.1)")                                                                        \
    X(QUOTED_CONTROL, "quoted-control", 5322, 553, "5.1.3", "RFC 5322 section 4.1",            \
      "the quoted string contains a control character, obsolete header syntax (RFC 5322 "      \
      "section 4.1 obs-qtext) outside SMTP's qtextSMTP (RFC 5321 section 4.1.2)")              \
    X(QUOTED_PAIR_NOT_SMTP, "quoted-pair-not-smtp", 5322, 553, "5.1.3",                        \
      "RFC 5321 section 4.1.2",                                                                \
      "a backslash quotes a tab, control or non-ASCII character; SMTP's quoted-pairSMTP only " \
      "quotes printable ASCII and space (RFC 5321 section 4.1.2, RFC 5322 section 4.1 obs-qp)")\
    X(QUOTED_FWS, "quoted-fws", 5322, 553, "5.1.3", "RFC 5321 section 4.1.2",                  \
      "the quoted string holds a tab or a folded line break; only a plain space is allowed in "\
      "SMTP (RFC 5321 section 4.1.2 qtextSMTP, RFC 5322 section 3.2.4)")                       \
    X(LOCAL_OBS, "local-obsolete", 5322, 553, "5.1.3", "RFC 5322 section 4.4",                 \
      "the local part mixes quoted strings and atoms, or puts comments or spaces around its "  \
      "dots: obsolete header syntax (RFC 5322 section 4.4 obs-local-part)")                    \
    X(DOMAIN_OBS, "domain-obsolete", 5322, 553, "5.1.3", "RFC 5322 section 4.4",               \
      "the domain has comments or spaces around its dots: obsolete header syntax (RFC 5322 "   \
      "section 4.4 obs-domain)")                                                               \
    X(COMMENT, "comment", 5322, 553, "5.1.3", "RFC 5322 section 3.2.2",                        \
      "the address contains a comment in parentheses, allowed in a header (RFC 5322 section "  \
      "3.2.2) but not in an SMTP command (RFC 5321 section 4.1.2)")                            \
    X(WHITESPACE, "whitespace", 5322, 553, "5.1.3", "RFC 5322 section 3.2.2",                  \
      "the address has spaces, tabs or folds around its parts, allowed in a header (RFC 5322 " \
      "section 3.2.2 FWS) but not in an SMTP command (RFC 5321 section 4.1.2)")                \
    X(LOCAL_TOO_LONG, "local-too-long", 5322, 501, "5.1.3", "RFC 5321 section 4.5.3.1.1",      \
      "the local part is longer than 64 octets, the most a server must accept (RFC 5321 "      \
      "section 4.5.3.1.1)")                                                                    \
    X(LABEL_TOO_LONG, "domain-label-too-long", 5322, 501, "5.1.3", "RFC 1035 section 2.3.4",   \
      "a domain label (as A-label, for IDNs) is longer than 63 octets, the DNS limit (RFC "    \
      "1035 section 2.3.4, RFC 5890 section 2.3.2.1)")                                         \
    X(DOMAIN_TOO_LONG, "domain-too-long", 5322, 501, "5.1.3", "RFC 5321 section 4.5.3.1.2",    \
      "the domain is longer than 255 octets (RFC 5321 section 4.5.3.1.2)")                     \
    X(ADDRESS_TOO_LONG, "address-too-long", 5322, 501, "5.1.3", "RFC 5321 section 4.5.3.1.3",  \
      "the address is longer than 254 octets: a path is at most 256 octets including its "     \
      "angle brackets (RFC 5321 section 4.5.3.1.3, RFC 3696 erratum 1690)")                    \
    /* ---- needs SMTPUTF8 ---- */                                                           \
    X(SMTPUTF8_REQUIRED, "smtputf8-required", UTF8, 553, "5.6.7", "RFC 6531 section 3.5",      \
      "the address has non-ASCII characters and SMTPUTF8 was not offered or not used, so a "   \
      "server refuses it: 553 for RCPT, 550 for MAIL, status X.6.7 (RFC 6531 section 3.5)")    \
    X(LOCAL_UTF8, "local-utf8", UTF8, 0, "", "RFC 6531 section 3.3",                           \
      "the local part is UTF-8; it has no ASCII form, so every hop must support SMTPUTF8 "     \
      "(RFC 6531 section 3.3)")                                                                \
    X(DOMAIN_IDN, "domain-idn", UTF8, 0, "", "RFC 6531 section 3.3",                           \
      "the domain is an IDN in U-labels; it needs SMTPUTF8 as written, or its A-label form "   \
      "(xn--...) where SMTPUTF8 is missing (RFC 6531 section 3.3, RFC 5890)")                  \
    /* ---- valid RFC 5321 Mailbox, but unusual ---- */                                      \
    X(DOMAIN_FAKE_ALABEL, "domain-fake-a-label", WARN, 0, "", "RFC 5890 section 2.3.2.1",      \
      "a label starts with \"xn--\" but is no valid A-label; RFC 5890 section 2.3.2.1 forbids "\
      "such labels, so the domain should not exist, though SMTP syntax allows it")             \
    X(DOMAIN_IDN_MAPPED, "domain-idn-mapped", WARN, 0, "", "RFC 5891 section 5.2",             \
      "the IDN was converted only after mapping (case folding, NFC, full-width dots, UTS #46);"\
      " on the wire it should be written in its U-label form (RFC 5891 section 5.2)")          \
    X(LOCAL_QUOTED_EMPTY, "local-quoted-empty", WARN, 0, "", "RFC 5321 section 4.1.2",         \
      "the local part is an empty quoted string \"\", allowed by the grammar but refused by "  \
      "many servers (RFC 5321 section 4.1.2)")                                                 \
    X(LOCAL_QUOTED, "local-quoted", WARN, 0, "", "RFC 5321 section 4.1.2",                     \
      "the local part is a quoted string; valid, but RFC 5321 section 4.1.2 says mailboxes "   \
      "SHOULD NOT need one and many programs mishandle it")                                    \
    X(LOCAL_QUOTED_NEEDLESS, "local-quoted-needless", WARN, 0, "", "RFC 5321 section 4.1.2",   \
      "the quotes (or backslashes) are not needed: the local part is a plain dot-string, and " \
      "RFC 5321 section 4.1.2 asks senders to use the minimum quoting")                        \
    X(LITERAL_LEADING_ZERO, "address-literal-leading-zero", WARN, 0, "",                       \
      "RFC 5321 section 4.1.3",                                                                \
      "an IPv4 number has a leading zero; RFC 5321 section 4.1.3 allows 1-3 digits, but "      \
      "inet_pton refuses it and inet_aton reads it as octal")                                  \
    X(ADDRESS_LITERAL, "address-literal", WARN, 0, "", "RFC 5321 section 4.1.3",               \
      "the domain is an IP address literal; valid, but most servers accept it only for "       \
      "their own addresses, if at all (RFC 5321 sections 4.1.3 and 2.3.4)")                    \
    X(DOMAIN_NUMERIC_TLD, "domain-numeric-tld", WARN, 0, "", "RFC 3696 section 2",             \
      "the top-level label is all digits, which no TLD may be (RFC 3696 section 2, RFC 1123 "  \
      "section 2.1); an IP address needs brackets: user@[192.0.2.1]")                          \
    X(DOMAIN_SINGLE_LABEL, "domain-single-label", WARN, 0, "", "RFC 5321 section 2.3.5",       \
      "the domain has a single label (a TLD or a local name); SMTP needs fully qualified "     \
      "domains and dotless ones rarely receive mail (RFC 5321 section 2.3.5, RFC 7085)")       \
    X(SOURCE_ROUTE, "source-route", WARN, 0, "", "RFC 5321 section 4.1.2",                     \
      "the path has a source route \"@host,@host:\"; servers MUST accept and SHOULD ignore "   \
      "it (RFC 5321 section 4.1.2 and appendix C)")                                            \
    X(PATH_NO_ANGLE, "path-no-angle", WARN, 0, "", "RFC 5321 section 4.1.2",                   \
      "the path lacks its angle brackets; lenient servers take it, strict ones (Postfix "      \
      "strict_rfc821_envelopes) refuse (RFC 5321 section 4.1.2 Path)")                         \
    /* ---- nothing wrong ---- */                                                            \
    X(NULL_PATH, "null-path", OK, 0, "", "RFC 5321 section 4.5.5",                             \
      "the null reverse-path \"<>\" is valid for MAIL FROM: bounces and notifications use it " \
      "(RFC 5321 sections 4.5.5 and 6.1)")                                                     \
    X(POSTMASTER, "postmaster", OK, 0, "", "RFC 5321 section 4.1.1.3",                         \
      "\"<Postmaster>\" without a domain is a valid recipient that every server must accept "  \
      "(RFC 5321 section 4.1.1.3)")

/* Finding numbers: SDX_ADDR_EMPTY, SDX_ADDR_NO_AT, ... in table order. There
 * are 63; flags is 64 bits wide and address.c asserts that they fit. */
enum sdx_addr_finding {
#define X(id, name, cls, code, status, rfc, text) SDX_ADDR_##id,
    SDX_ADDR_FINDINGS(X)
#undef X
    SDX_ADDR_FINDING_COUNT
};

/* SDX_ADDR_F(NO_AT) - the bit of a finding in struct sdx_address.flags */
#define SDX_ADDR_F(id) (UINT64_C(1) << SDX_ADDR_##id)

/* The overall answer, best first. */
enum sdx_addr_verdict {
    SDX_ADDR_VALID_SMTP = 0,  /* an RFC 5321 Mailbox in ASCII: any server's grammar takes it */
    SDX_ADDR_VALID_SMTPUTF8,  /* an RFC 5321 Mailbox as extended by RFC 6531: needs SMTPUTF8 */
    SDX_ADDR_VALID_5322_ONLY, /* an RFC 5322 addr-spec (header) but no SMTP Mailbox: comments,
                               * CFWS, obsolete forms, non-SMTP literals, non-LDH labels,
                               * invalid U-labels, over-long parts */
    SDX_ADDR_INVALID          /* no address under any grammar */
};

/* One row of SDX_ADDR_FINDINGS; the strings are static. */
struct sdx_addr_info {
    enum sdx_addr_finding id;
    const char *name;         /* stable kebab-case name, e.g. "local-too-long" */
    enum sdx_addr_class klass;
    int reply_code;           /* likely reply, 0 when a server would accept */
    const char *status;       /* RFC 3463 enhanced status, "" when accepted */
    const char *rfc;          /* the main reference, e.g. "RFC 5321 section 4.5.3.1.1" */
    const char *explanation;  /* one sentence, with the RFC sections */
};

struct sdx_address {
    uint64_t flags;                 /* SDX_ADDR_F(...) findings, one bit each */
    enum sdx_addr_verdict verdict;
    struct sdx_str local;           /* borrowed from the input: the local part as written,
                                     * quotes included, outer comments and spaces excluded;
                                     * {NULL,0} when there is none */
    struct sdx_str domain;          /* borrowed: the domain or "[literal]" as written */
    char domain_ascii[256];         /* NUL-terminated: the A-label form of an IDN, else a
                                     * copy of an ASCII domain; "" when there is none */
    int idn_rc;                     /* libidn2's code when it refused the domain, else 0;
                                     * idn2_strerror_name(idn_rc) names it */
    int reply_code;                 /* the reply a server would likely give for the
                                     * diagnosis: 501, 553, 500; 0 when it would accept */
    char status[12];                /* enhanced status of that reply ("5.1.3"), or "" */
    size_t error_at;                /* offset in the input where the first error was seen
                                     * (verdict SDX_ADDR_INVALID), else 0 */
    enum sdx_addr_finding diag;     /* the most severe finding, SDX_ADDR_FINDING_COUNT if none */
    const char *diagnosis;          /* its name, or "valid" when there is no finding */
    const char *explanation;        /* its explanation, or one saying the address is plain */
};

/* sdx_address_check - check p[0..n) and fill *out (all of it, always).
 * p need not be NUL-terminated and is never read at or past p + n; out->local
 * and out->domain point into it. opts: SDX_ADDR_O_*. libidn2 is called only
 * for domains with non-ASCII or "xn--" labels. Thread-safe, no global state.
 * Returns 0 (findings are in *out, malformed input is not an error),
 * SDX_EINVAL if out is NULL or p is NULL with n > 0, SDX_ENOMEM if libidn2
 * ran out of memory (then *out holds what was found before). */
SDX_API SDX_NODISCARD int sdx_address_check(const char *p, size_t n, unsigned opts,
                                            struct sdx_address *out);

/* sdx_address_info - the table row of a finding, NULL if id is out of range */
SDX_API const struct sdx_addr_info *sdx_address_info(unsigned id);

/* sdx_address_findings - the findings set in flags, most severe first (class,
 * then table order), stored in out[0..max). Returns how many are set, which
 * may exceed max; out may be NULL when max is 0. */
SDX_API size_t sdx_address_findings(uint64_t flags, const struct sdx_addr_info **out,
                                    size_t max);

/* sdx_address_verdict_name - "valid-smtp", "valid-smtputf8", "valid-5322-only", "invalid" */
SDX_API const char *sdx_address_verdict_name(enum sdx_addr_verdict v);
/* sdx_address_class_name - "ok", "warn", "utf8", "5322", "error" */
SDX_API const char *sdx_address_class_name(enum sdx_addr_class c);

#endif
