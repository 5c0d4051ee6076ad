/* ukl linux_syscall: the Linux x86_64 system call ABI served in ring 0. */
#ifndef UK_SYSCALL_H
#define UK_SYSCALL_H

/* Serve call `nr` with its six arguments; returns the result or a negative errno, as the
 * kernel would. The `syscall` instruction reaches the same table through uk_syscall_entry. */
long uk_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* The LSTAR target: red zone skipped, every register but rax, rcx and r11 preserved (SSE
 * included), return with popfq + jmp *%rcx. */
void uk_syscall_entry(void);

/* Enables `syscall` (EFER.SCE, STAR, LSTAR, FMASK) and mounts the initrd; also run from the
 * init table at priority 02. Idempotent. */
int uk_syscall_init(void);

/* How many distinct unimplemented calls were met (each is logged once by name). */
int uk_syscall_unimplemented_count(void);

/* The caller's registers at a `syscall` instruction, lowest address first (the entry stub
 * pushes them in the reverse order). `rip` and `rflags` are what the CPU put in rcx and r11. */
struct uk_syscall_frame {
	unsigned long rax, r9, r8, r10, rdx, rsi, rdi;
	unsigned long r15, r14, r13, r12, rbx, rbp;
	unsigned long rip, rflags;
};

/* The entry stub's target: a registered handler for frame->rax, or the built-in table; in
 * ring 0 it then delivers the signals that came due (`fpstate`: the stub's 512-byte fxsave
 * area, copied into a signal frame; NULL in host mode, where the host delivers signals). */
long uk_syscall_frame(struct uk_syscall_frame *frame, const void *fpstate);

/* Signals and thread libraries: `hook(tid, 0)` says whether thread `tid` exists, `hook(tid,
 * 1)` wakes it from the wait it is blocked in, after a signal was sent to it. */
void uk_signal_wake_hook(int (*hook)(int tid, int wake));
/* A thread has exited: its own pending signals and alternate stack are forgotten. */
void uk_signal_thread_exited(int tid);

/* Makes `handler` serve call `nr` (< 512; the last registration wins, NULL restores the
 * built-in entry). Libraries register from their init hooks. Returns 0 or -EINVAL. */
typedef long (*uk_syscall_handler_t)(struct uk_syscall_frame *frame);
int uk_syscall_register(long nr, uk_syscall_handler_t handler);

/* Continues `frame` as if its `syscall` returned `rax`, with stack pointer `rsp`; the
 * current stack is abandoned. Threads that `clone` starts begin here. */
void uk_syscall_resume(const struct uk_syscall_frame *frame, unsigned long rax,
		       unsigned long rsp) __attribute__((noreturn));

/* Objects that other libraries serve behind descriptors (sockets). Each function returns
 * bytes / 0 or a negative errno; `readiness` returns poll(2) events as the object stands now;
 * `progress` (may be NULL) drives the objects' I/O once before poll/select ask; `available`
 * (may be NULL) gives the bytes a read would get now, for ioctl(FIONREAD). */
struct uk_file_ops {
	unsigned int mode; /* st_mode file type bits, e.g. S_IFSOCK */
	unsigned int pad;
	long (*read)(unsigned long handle, void *buf, unsigned long len);
	long (*write)(unsigned long handle, const void *buf, unsigned long len);
	int (*close)(unsigned long handle);
	int (*readiness)(unsigned long handle);
	int (*set_nonblocking)(unsigned long handle, int on);
	int (*progress)(void);
	long (*available)(unsigned long handle);
};

/* Installs `handle` at the lowest free descriptor (flags: O_NONBLOCK, O_CLOEXEC); returns the
 * descriptor or -EMFILE (the object is then closed). `ops` must live forever. */
long uk_syscall_fd_open(const struct uk_file_ops *ops, unsigned long handle, unsigned long flags);

/* The handle behind `fd` when `ops` serves it: 0, -EBADF, or -ENOTSOCK. */
long uk_syscall_fd_object(long fd, const struct uk_file_ops *ops, unsigned long *handle);

/* Signals for the waits of other libraries: runs the handlers that are due (an interval
 * timer's signal) and returns 1 when the wait must end with -EINTR (for a `restartable` call:
 * only if a handler lacked SA_RESTART). */
int uk_signal_interrupted(int restartable);

/* The earliest deadline of an armed interval timer (monotonic ns; ~0UL: none), so that a
 * sleeper wakes when its signal is due. */
unsigned long uk_signal_next_timer(void);

/* A thread library's per-thread blocked sets: `hook(NULL)` returns the calling thread's set,
 * `hook(&set)` replaces it. NULL: one set for the process. */
typedef unsigned long (*uk_signal_mask_hook_t)(const unsigned long *set);
void uk_signal_mask_hook(uk_signal_mask_hook_t hook);

#endif
