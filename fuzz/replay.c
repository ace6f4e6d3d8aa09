/* replay.c - run a fuzz target over its corpus without libFuzzer
 * Every CTest run (the ASan+UBSan one too) replays fuzz/corpus/<target>/,
 * so a crash found once stays fixed. Usage: replay_<target> DIR|FILE... */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf;
    size_t n;

    if (fp == NULL) {
        fprintf(stderr, "replay: cannot open '%s'\n", path);
        return 1;
    }
    buf = malloc(1 << 20);
    if (buf == NULL) {
        fclose(fp);
        return 1;
    }
    n = fread(buf, 1, 1 << 20, fp);
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int i, files = 0, bad = 0;

    for (i = 1; i < argc; i++) {
        struct stat st;
        DIR *d;
        struct dirent *de;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: cannot stat '%s'\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad += run_file(argv[i]);
            files++;
            continue;
        }
        if ((d = opendir(argv[i])) == NULL)
            return 1;
        while ((de = readdir(d)) != NULL) {
            char path[4096];

            if (de->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
            bad += run_file(path);
            files++;
        }
        closedir(d);
    }
    /* the edge cases every target must survive, corpus or not */
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    LLVMFuzzerTestOneInput((const uint8_t *)"\0", 1);
    printf("replay: %d files, %d unreadable\n", files, bad);
    if (files == 0) {
        fprintf(stderr, "replay: no corpus files\n");
        return 1;
    }
    return bad ? 1 : 0;
}
