//! `math.h`: the functions nolibc's header declares, over the `libm` crate (the Rust project's
//! port of musl's libm). They are C library names, so they live in the pool's C library: a
//! program that brings its own C library (musl) is linked without nolibc and gets its own
//! libm, exception flags and rounding-mode behaviour included.

macro_rules! c_math {
    ($($name:ident($($arg:ident: $ty:ty),+) -> $ret:ty;)+) => {
        $(
            #[doc = concat!("`", stringify!($name), "` from `math.h`.")]
            #[no_mangle]
            pub extern "C" fn $name($($arg: $ty),+) -> $ret {
                libm::$name($($arg),+)
            }
        )+
    };
}

c_math! {
    sqrt(x: f64) -> f64;
    sqrtf(x: f32) -> f32;
    cbrt(x: f64) -> f64;
    cbrtf(x: f32) -> f32;
    fabs(x: f64) -> f64;
    fabsf(x: f32) -> f32;
    floor(x: f64) -> f64;
    floorf(x: f32) -> f32;
    ceil(x: f64) -> f64;
    ceilf(x: f32) -> f32;
    trunc(x: f64) -> f64;
    truncf(x: f32) -> f32;
    round(x: f64) -> f64;
    roundf(x: f32) -> f32;
    rint(x: f64) -> f64;
    rintf(x: f32) -> f32;
    fmod(x: f64, y: f64) -> f64;
    fmodf(x: f32, y: f32) -> f32;
    fdim(x: f64, y: f64) -> f64;
    fdimf(x: f32, y: f32) -> f32;
    fma(x: f64, y: f64, z: f64) -> f64;
    fmaf(x: f32, y: f32, z: f32) -> f32;
    copysign(x: f64, y: f64) -> f64;
    copysignf(x: f32, y: f32) -> f32;
}

/// Minimum and maximum as C's Annex F recommends (F.10.9.2, F.10.9.3): a NaN argument loses
/// to a number, and -0 is below +0 (the libm crate leaves the order of zeros open).
macro_rules! c_min_max {
    ($min:ident, $max:ident, $ty:ty) => {
        #[doc = concat!("`", stringify!($min), "` from `math.h`.")]
        #[no_mangle]
        pub extern "C" fn $min(x: $ty, y: $ty) -> $ty {
            if x.is_nan() {
                y
            } else if y.is_nan() || x.is_sign_negative() != y.is_sign_negative() {
                if y.is_nan() || x.is_sign_negative() {
                    x
                } else {
                    y
                }
            } else if x < y {
                x
            } else {
                y
            }
        }

        #[doc = concat!("`", stringify!($max), "` from `math.h`.")]
        #[no_mangle]
        pub extern "C" fn $max(x: $ty, y: $ty) -> $ty {
            if x.is_nan() {
                y
            } else if y.is_nan() || x.is_sign_negative() != y.is_sign_negative() {
                if y.is_nan() || !x.is_sign_negative() {
                    x
                } else {
                    y
                }
            } else if x > y {
                x
            } else {
                y
            }
        }
    };
}

c_min_max!(fmin, fmax, f64);
c_min_max!(fminf, fmaxf, f32);
