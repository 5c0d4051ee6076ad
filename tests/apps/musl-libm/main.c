/* The math functions that a pool library once shadowed (rust_rt's compiler_builtins exported
 * fmin, round, rint, sqrt, ...), called through function pointers so that the compiler cannot
 * inline or fold them, over edge-case inputs, in each rounding mode. Each line gives the
 * result's exact bits and the exception flags the call raised: it must match Linux's line. */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef double (*unary)(double);
typedef double (*binary)(double, double);
typedef double (*ternary)(double, double, double);
typedef float (*unary_f)(float);
typedef float (*binary_f)(float, float);
typedef float (*ternary_f)(float, float, float);

static const struct { const char *name; int mode; } modes[] = {
    {"nearest", FE_TONEAREST},
    {"downward", FE_DOWNWARD},
    {"upward", FE_UPWARD},
    {"towardzero", FE_TOWARDZERO},
};

static const double inputs[] = {
    0.0, -0.0, 0.5, -0.5, 1.5, -2.5, 2.5, 0.49999999999999994, 1e300, -1e-310, 4503599627370497.0,
    3.0, -7.25, 1.0 / 3.0, INFINITY, -INFINITY, NAN,
};
#define COUNT (sizeof inputs / sizeof inputs[0])

static unsigned long long bits(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (unsigned long long)u;
}

static unsigned fbits(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static void flags(void) {
    int raised = fetestexcept(FE_ALL_EXCEPT);
    printf(" %s%s%s%s%s\n", raised & FE_INVALID ? "I" : "-", raised & FE_DIVBYZERO ? "Z" : "-",
           raised & FE_OVERFLOW ? "O" : "-", raised & FE_UNDERFLOW ? "U" : "-",
           raised & FE_INEXACT ? "X" : "-");
}

/* Defined here so that the calls go through pointers that the optimizer cannot see through. */
#define TABLE(type, ...) static type volatile const __VA_ARGS__
TABLE(unary, unaries[]) = {sqrt, cbrt, fabs, floor, ceil, trunc, round, rint};
static const char *unary_names[] = {"sqrt", "cbrt", "fabs", "floor", "ceil", "trunc", "round", "rint"};
TABLE(binary, binaries[]) = {fmod, fmin, fmax, fdim, copysign};
static const char *binary_names[] = {"fmod", "fmin", "fmax", "fdim", "copysign"};
TABLE(unary_f, unaries_f[]) = {sqrtf, cbrtf, fabsf, floorf, ceilf, truncf, roundf, rintf};
TABLE(binary_f, binaries_f[]) = {fmodf, fminf, fmaxf, fdimf, copysignf};
TABLE(ternary, fma_d) = fma;
TABLE(ternary_f, fma_f) = fmaf;

int main(void) {
    for (unsigned m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        if (fesetround(modes[m].mode) != 0) {
            printf("fesetround %s failed\n", modes[m].name);
            return 1;
        }
        printf("== %s\n", modes[m].name);
        for (unsigned f = 0; f < sizeof unaries / sizeof unaries[0]; f++)
            for (unsigned i = 0; i < COUNT; i++) {
                feclearexcept(FE_ALL_EXCEPT);
                double r = unaries[f](inputs[i]);
                printf("%s(%a) = %016llx", unary_names[f], inputs[i], bits(r));
                flags();
                feclearexcept(FE_ALL_EXCEPT);
                float rf = unaries_f[f]((float)inputs[i]);
                printf("%sf = %08x", unary_names[f], fbits(rf));
                flags();
            }
        for (unsigned f = 0; f < sizeof binaries / sizeof binaries[0]; f++)
            for (unsigned i = 0; i < COUNT; i++)
                for (unsigned j = 0; j < COUNT; j += 3) {
                    feclearexcept(FE_ALL_EXCEPT);
                    double r = binaries[f](inputs[i], inputs[j]);
                    printf("%s(%a, %a) = %016llx", binary_names[f], inputs[i], inputs[j], bits(r));
                    flags();
                    feclearexcept(FE_ALL_EXCEPT);
                    float rf = binaries_f[f]((float)inputs[i], (float)inputs[j]);
                    printf("%sf = %08x", binary_names[f], fbits(rf));
                    flags();
                }
        for (unsigned i = 0; i < COUNT; i++)
            for (unsigned j = 0; j < COUNT; j += 4) {
                double z = inputs[(i + j) % COUNT];
                feclearexcept(FE_ALL_EXCEPT);
                double r = fma_d(inputs[i], inputs[j], z);
                printf("fma(%a, %a, %a) = %016llx", inputs[i], inputs[j], z, bits(r));
                flags();
                feclearexcept(FE_ALL_EXCEPT);
                float rf = fma_f((float)inputs[i], (float)inputs[j], (float)z);
                printf("fmaf = %08x", fbits(rf));
                flags();
            }
    }
    fesetround(FE_TONEAREST);
    printf("== done\n");
    return 0;
}
