/* bench_gmime.c - the floor GMime sets: parse each message and free it
 * In:  message files (argv), read into memory first.
 * Out: messages per second of g_mime_parser_construct_message() alone,
 *      median of 5 passes: what smtpdx bounce cannot beat while GMime reads
 *      the MIME (docs/BENCHMARKS.md, issue 6).
 * Usage: bench_gmime FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gmime/gmime.h>

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    char **d = calloc((size_t)argc, sizeof(*d));
    size_t *n = calloc((size_t)argc, sizeof(*n));
    double secs[5];
    int i, k = 0, r;

    if (!d || !n || argc < 2) {
        fprintf(stderr, "usage: bench_gmime FILE...\n");
        return 2;
    }
    g_mime_init();
    for (i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");

        if (!f)
            continue;
        d[k] = malloc(4u << 20);
        n[k] = d[k] ? fread(d[k], 1, 4u << 20, f) : 0;
        fclose(f);
        k++;
    }
    for (r = 0; r < 5; r++) {
        double t0 = now();

        for (i = 0; i < k; i++) {
            GMimeStream *s = g_mime_stream_mem_new_with_buffer(d[i], n[i]);
            GMimeParser *p = g_mime_parser_new_with_stream(s);
            GMimeMessage *m = g_mime_parser_construct_message(p, NULL);

            if (m)
                g_object_unref(m);
            g_object_unref(p);
            g_object_unref(s);
        }
        secs[r] = now() - t0;
    }
    qsort(secs, 5, sizeof(secs[0]), cmpd);
    printf("gmime parse only: %.0f messages/s (median of 5 passes over %d files)\n", k / secs[2], k);
    return 0;
}
