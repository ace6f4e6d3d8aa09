/* watch_conf.c - smtpdx watch's configuration file (watch_conf.h)
 * In:  FILE, lines of "key = value" as in Postfix's main.cf: # starts a
 *      comment, a line starting with white space continues the one before.
 *      Keys: every long option of smtpdx watch (- or _ alike: listen,
 *      state, top_domains ...), "logs" (the files, separated by commas or
 *      white space), alert_* rules (alert.h), alert_command and alert_url.
 * Out: the options into the command's args (only those the command line
 *      did not set: it wins), the logs, the alert rules.
 * Errors name FILE:LINE. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "watch_conf.h"

#define LINE_MAX_CONF 4096

void watch_conf_free(struct watch_conf *c)
{
    size_t i;

    for (i = 0; i < c->nlogs; i++)
        free(c->logs[i]);
    for (i = 0; i < c->nstrs; i++)
        free(c->strs[i]);
    free(c->alert_command);
    free(c->alert_url);
    sdx_alerts_free(c->alerts);
    memset(c, 0, sizeof(*c));
}

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* option - key names an option of opts: set it in args unless set[] says
 * the command line did */
static int option(struct watch_conf *c, const struct opt *opts, void *args, const unsigned char *set,
                  const char *key, const char *value, char *err, size_t cap)
{
    const struct opt *o;
    size_t i;

    for (o = opts, i = 0; o->lng; o++, i++) {
        size_t k;

        for (k = 0; o->lng[k] && key[k] && (o->lng[k] == key[k] || (o->lng[k] == '-' && key[k] == '_')); k++)
            ;
        if (o->lng[k] || key[k])
            continue;
        if (set[i])
            return 0;                   /* the command line said otherwise */
        if (o->type == OPT_STR) {
            char *v;

            if (c->nstrs == sizeof(c->strs) / sizeof(c->strs[0]) || (v = strdup(value)) == NULL) {
                snprintf(err, cap, "too many settings");
                return -1;
            }
            c->strs[c->nstrs++] = v;
            *(const char **)((char *)args + o->field) = v;
        } else if (o->type == OPT_UINT) {
            char *end;
            unsigned long v;

            errno = 0;
            v = strtoul(value, &end, 10);
            if (errno || end == value || *end || v > o->max) {
                snprintf(err, cap, "%s takes a number up to %lu", key, o->max);
                return -1;
            }
            *(unsigned long *)((char *)args + o->field) = v;
        } else {
            int yes = strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 || strcmp(value, "1") == 0;

            if (!yes && strcmp(value, "no") != 0 && strcmp(value, "false") != 0 && strcmp(value, "0") != 0) {
                snprintf(err, cap, "%s takes yes or no", key);
                return -1;
            }
            *(int *)((char *)args + o->field) = yes;
        }
        return 0;
    }
    snprintf(err, cap, "unknown setting %s (see smtpdx-watch(1))", key);
    return -1;
}

static int setting(struct watch_conf *c, const struct opt *opts, void *args, const unsigned char *set, char *line,
                   char *err, size_t cap)
{
    char *eq = strchr(line, '='), *key, *value;

    if (!eq) {
        snprintf(err, cap, "expected key = value");
        return -1;
    }
    *eq = '\0';
    key = trim(line);
    value = trim(eq + 1);
    if (!*key) {
        snprintf(err, cap, "a setting without a name");
        return -1;
    }
    if (strcmp(key, "logs") == 0) {
        char *t = value;

        while (*t) {
            size_t n = strcspn(t, ", \t");

            if (n) {
                if (c->nlogs == sizeof(c->logs) / sizeof(c->logs[0]) ||
                    (c->logs[c->nlogs] = strndup(t, n)) == NULL) {
                    snprintf(err, cap, "too many logs");
                    return -1;
                }
                c->nlogs++;
            }
            t += n;
            t += strspn(t, ", \t");
        }
        return 0;
    }
    if (strcmp(key, "alert_command") == 0 || strcmp(key, "alert_url") == 0) {
        char **dst = key[6] == 'c' ? &c->alert_command : &c->alert_url;

        free(*dst);
        if ((*dst = strdup(value)) == NULL) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
        if (key[6] == 'u' && strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) {
            snprintf(err, cap, "alert_url takes an http:// or https:// URL");
            return -1;
        }
        return 0;
    }
    if (strncmp(key, "alert_", 6) == 0)
        return sdx_alerts_rule(c->alerts, key, value, err, cap) == 0 ? 0 : -1;
    return option(c, opts, args, set, key, value, err, cap);
}

int watch_conf_read(const char *path, const struct opt *opts, void *args, const unsigned char *set,
                    struct watch_conf *c)
{
    FILE *fp = fopen(path, "r");
    char line[LINE_MAX_CONF], cur[LINE_MAX_CONF], err[300];
    unsigned long no = 0, start = 0;
    int have = 0, rc = 0;

    memset(c, 0, sizeof(*c));
    if (!fp) {
        fprintf(stderr, "smtpdx watch: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (sdx_alerts_new(&c->alerts) != 0) {
        fclose(fp);
        return -1;
    }
    cur[0] = '\0';
    for (;;) {
        char *got = fgets(line, sizeof(line), fp), *hash;
        int cont;

        if (got) {
            no++;
            if (!strchr(line, '\n') && !feof(fp)) {
                fprintf(stderr, "smtpdx watch: %s:%lu: line longer than %d bytes\n", path, no, LINE_MAX_CONF - 2);
                rc = -1;
                break;
            }
            if ((hash = strchr(line, '#')) != NULL)
                *hash = '\0';
        }
        cont = got && (line[0] == ' ' || line[0] == '\t') && *trim(line);
        if (cont && have) {                     /* continues the setting before */
            size_t cl = strlen(cur);
            const char *more = trim(line);

            if (cl + strlen(more) + 2 >= sizeof(cur)) {
                fprintf(stderr, "smtpdx watch: %s:%lu: setting longer than %d bytes\n", path, no, LINE_MAX_CONF);
                rc = -1;
                break;
            }
            snprintf(cur + cl, sizeof(cur) - cl, " %s", more);
            continue;
        }
        if (have && setting(c, opts, args, set, cur, err, sizeof(err)) != 0) {
            fprintf(stderr, "smtpdx watch: %s:%lu: %s\n", path, start, err);
            rc = -1;
            break;
        }
        have = 0;
        if (!got)
            break;
        if (*trim(line)) {
            snprintf(cur, sizeof(cur), "%s", trim(line));
            have = 1;
            start = no;
        }
    }
    fclose(fp);
    if (rc)
        watch_conf_free(c);
    return rc;
}
