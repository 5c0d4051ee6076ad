//! pthread: the POSIX names of `pthread.h`, `semaphore.h`, `sched.h` and the sleeps of
//! `time.h`/`unistd.h` (headers in nolibc's include directory), mapped onto uksched. The code is
//! C (`c/pthread.c`, compiled by `build.rs`); this crate only carries it into the pool.
//!
//! A library of its own rather than part of nolibc: nolibc is in every C image, and if it
//! referenced uksched, every image would link the scheduler. Here only an application that
//! names a thread, semaphore or sleep function pulls in uksched and schedcoop.
#![no_std]
