/* nolibc's math.h (Rust, over the libm crate) against musl's: the same source compiled for
 * Linux with musl-gcc must print the same lines. Inputs whose results are exact
 * (or correctly rounded, as sqrt is everywhere), infinities and NaN. */
#include <math.h>
#include <stdio.h>
#include <string.h>

static unsigned long long bits(double x) {
    unsigned long long u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static unsigned fbits(float x) {
    unsigned u;
    memcpy(&u, &x, sizeof u);
    return u;
}

typedef double (*unary)(double);
typedef double (*binary)(double, double);
typedef float (*unary_f)(float);
typedef float (*binary_f)(float, float);

static unary volatile const unaries[] = {sqrt, fabs, floor, ceil, trunc, round, rint};
static unary_f volatile const unaries_f[] = {sqrtf, fabsf, floorf, ceilf, truncf, roundf, rintf};
static const char *unary_names[] = {"sqrt", "fabs", "floor", "ceil", "trunc", "round", "rint"};
static binary volatile const binaries[] = {fmod, fmin, fmax, fdim, copysign};
static binary_f volatile const binaries_f[] = {fmodf, fminf, fmaxf, fdimf, copysignf};
static const char *binary_names[] = {"fmod", "fmin", "fmax", "fdim", "copysign"};

static const double inputs[] = {0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 2.5, 4.0, 9.0, -7.25, 1e300, INFINITY, -INFINITY, NAN};
#define COUNT (sizeof inputs / sizeof inputs[0])

int main(void) {
    for (unsigned f = 0; f < sizeof unaries / sizeof unaries[0]; f++)
        for (unsigned i = 0; i < COUNT; i++)
            printf("%s #%u = %016llx %08x\n", unary_names[f], i, bits(unaries[f](inputs[i])),
                   fbits(unaries_f[f]((float)inputs[i])));
    for (unsigned f = 0; f < sizeof binaries / sizeof binaries[0]; f++)
        for (unsigned i = 0; i < COUNT; i++)
            for (unsigned j = 0; j < COUNT; j++)
                printf("%s #%u #%u = %016llx %08x\n", binary_names[f], i, j,
                       bits(binaries[f](inputs[i], inputs[j])),
                       fbits(binaries_f[f]((float)inputs[i], (float)inputs[j])));
    double (*volatile fused)(double, double, double) = fma;
    float (*volatile fused_f)(float, float, float) = fmaf;
    printf("fma = %016llx %08x\n", bits(fused(3.0, 0.5, -0.25)), fbits(fused_f(3.0f, 0.5f, -0.25f)));
    printf("cbrt = %016llx %08x\n", bits(cbrt(-27.0)), fbits(cbrtf(8.0f)));
    printf("math done\n");
    return 0;
}
