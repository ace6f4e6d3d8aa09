/* dynlib.c - a shared library loaded on first use (dynlib.h) */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "dynlib.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int sdx_dynlib_load(struct sdx_dynlib *lib)
{
    void *h;
    size_t i;
    int rc;

    pthread_mutex_lock(&lock);
    if (lib->state == 0) {
        lib->state = -1;
        if ((h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
            const char *e = dlerror();

            snprintf(lib->error, sizeof(lib->error), "cannot load %s: %s", lib->soname, e ? e : "not found");
        } else {
            for (i = 0; i < lib->n; i++)
                if ((lib->fns[i] = dlsym(h, lib->names[i])) == NULL) {
                    snprintf(lib->error, sizeof(lib->error), "%s has no %s", lib->soname, lib->names[i]);
                    break;
                }
            if (i == lib->n)
                lib->state = 1;         /* kept loaded for the process's life */
        }
    }
    rc = lib->state == 1 ? 0 : -1;
    pthread_mutex_unlock(&lock);
    return rc;
}
