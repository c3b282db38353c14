/* The C floor for imgd's in-process convert benchmark: the same libvips calls imgd makes for
 * "JPEG to 720 px wide JPEG q80" (jpegload with shrink-on-load, lanczos3 resize, save), made
 * straight from C. Loads libvips with dlopen so that one binary measures either build.
 *
 *   floor LIBVIPS.so IMAGE.jpg ITERATIONS SHRINK  ->  median process CPU ms per image
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct _VipsImage VipsImage;

static double cpu_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

#define SYM(ret, name, args) \
  ret(*name) args = (ret(*) args)dlsym(lib, #name); \
  if (!name) { fprintf(stderr, "missing %s\n", #name); return 2; }

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: floor LIBVIPS IMAGE ITERATIONS SHRINK\n"); return 2; }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
  if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 2; }
  SYM(int, vips_init, (const char *));
  SYM(void, vips_concurrency_set, (int));
  SYM(void, vips_cache_set_max, (int));
  SYM(int, vips_jpegload_buffer, (const void *, size_t, VipsImage **, ...));
  SYM(int, vips_resize, (VipsImage *, VipsImage **, double, ...));
  SYM(int, vips_jpegsave_buffer, (VipsImage *, void **, size_t *, ...));
  SYM(int, vips_image_get_width, (const VipsImage *));
  SYM(void, g_object_unref, (void *));
  SYM(void, g_free, (void *));
  if (vips_init("floor")) return 2;
  vips_concurrency_set(1);
  vips_cache_set_max(0);

  FILE *f = fopen(argv[2], "rb");
  if (!f) { perror(argv[2]); return 2; }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(n);
  if (fread(buf, 1, n, f) != (size_t)n) return 2;
  fclose(f);

  int iterations = atoi(argv[3]), shrink = atoi(argv[4]);
  double *ms = calloc(iterations, sizeof(double));
  size_t out_len = 0;
  for (int i = 0; i < iterations; i++) {
    double t0 = cpu_ms();
    VipsImage *in, *out;
    void *jpeg;
    /* access 1 = sequential, kernel 5 = lanczos3, fail_on 1 = truncated */
    if (vips_jpegload_buffer(buf, n, &in, "shrink", shrink, "access", 1, "fail_on", 1, NULL)) return 1;
    if (vips_resize(in, &out, 720.0 / vips_image_get_width(in), "kernel", 5, NULL)) return 1;
    if (vips_jpegsave_buffer(out, &jpeg, &out_len, "Q", 80, "optimize_coding", 1, NULL)) return 1;
    g_free(jpeg);
    g_object_unref(out);
    g_object_unref(in);
    ms[i] = cpu_ms() - t0;
  }
  qsort(ms, iterations, sizeof(double), cmp);
  printf("%.2f %.2f %.2f %zu\n", ms[0], ms[iterations / 2], ms[iterations - 1], out_len);
  return 0;
}
