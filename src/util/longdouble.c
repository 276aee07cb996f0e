/* Long double helpers for Oxidis (see build.rs for why this is C).
 * Values cross the FFI boundary as decimal strings, so Rust never needs an
 * 80-bit type. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

/* Parse `s[0..len]` strictly: no spaces, no trailing garbage, no NaN, no
 * overflow. Returns 1 on success and stores the value in *out. */
static int parse_ld(const char *s, size_t len, long double *out) {
    char buf[5120];
    char *end;
    long double v;
    if (len == 0 || len >= sizeof(buf)) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    v = strtold(buf, &end);
    if (isspace((unsigned char)buf[0]) || *end != '\0' || (size_t)(end - buf) != len ||
        (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)) ||
        errno == EINVAL || isnan(v))
        return 0;
    *out = v;
    return 1;
}

/* Format like Redis's human mode: "%.17Lf", trailing zeros and dot
 * removed, "-0" printed as "0", infinities as "inf"/"-inf". */
static int format_ld_human(long double v, char *out, size_t cap) {
    int l;
    if (isinf(v)) {
        l = snprintf(out, cap, "%s", v > 0 ? "inf" : "-inf");
        return l;
    }
    l = snprintf(out, cap, "%.17Lf", v);
    if (l < 0 || (size_t)l + 1 > cap) return -1;
    if (strchr(out, '.') != NULL) {
        char *p = out + l - 1;
        while (*p == '0') { p--; l--; }
        if (*p == '.') l--;
    }
    if (l == 2 && out[0] == '-' && out[1] == '0') { out[0] = '0'; l = 1; }
    out[l] = '\0';
    return l;
}

/* Returns 1 when `s` is a valid long double. */
int ox_ld_valid(const char *s, size_t len) {
    long double v;
    return parse_ld(s, len, &v);
}

/* a + b computed in long double. Returns the length written to out, or:
 * -1 when a is not a valid number, -2 when b is not, -3 when the result is
 * NaN or infinite (Redis refuses those), -4 when out is too small. */
int ox_ld_add(const char *a, size_t alen, const char *b, size_t blen, char *out, size_t cap) {
    long double x, y, r;
    if (!parse_ld(a, alen, &x)) return -1;
    if (!parse_ld(b, blen, &y)) return -2;
    r = x + y;
    if (isnan(r) || isinf(r)) return -3;
    int l = format_ld_human(r, out, cap);
    return l < 0 ? -4 : l;
}

/* Re-formats a number in human mode (used to normalise stored values). */
int ox_ld_human(const char *a, size_t alen, char *out, size_t cap) {
    long double x;
    if (!parse_ld(a, alen, &x)) return -1;
    int l = format_ld_human(x, out, cap);
    return l < 0 ? -4 : l;
}
