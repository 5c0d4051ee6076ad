/* System V IPC through musl's libc.a, unmodified: message queues, semaphore sets and shared
 * memory, with Linux's error numbers and IPC_RMID rules. On Linux (and linuxu) the kernel
 * serves the calls; in a unikernel linux_ipc does. Built twice: as is (two threads for the
 * blocking cases: one waits in msgrcv, msgsnd or semop, the other sends, receives, posts or
 * removes) and with -DSINGLE_THREADED (no thread library: only a timeout or a signal ends a
 * wait). The output is deterministic: ids, pids and times are compared, never printed, and
 * every line about a thread is printed after it was joined. Every object is removed at exit,
 * so that runs on Linux leave nothing behind; keys are chosen among those no object uses. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#ifndef SINGLE_THREADED
#include <pthread.h>
#endif

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static const char *name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case E2BIG: return "E2BIG";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOSYS: return "ENOSYS";
	case ENOMSG: return "ENOMSG";
	case EIDRM: return "EIDRM";
	default: return "E?";
	}
}

/* A call's result: its value, or -1 and the error's name. */
static void show(const char *what, long result)
{
	if (result == -1)
		printf("%s: -1 %s\n", what, name(errno));
	else
		printf("%s: %ld\n", what, result);
}

/* An id's: only whether the call succeeded. */
static void show_id(const char *what, long id)
{
	if (id < 0)
		printf("%s: -1 %s\n", what, name(errno));
	else
		printf("%s: id >= 0\n", what);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Objects to remove at exit, whatever happened. */
static int queues[64], sets[64], segments[64];
static int nqueues, nsets, nsegments;

static int track(int *ids, int *n, int id)
{
	if (id >= 0 && *n < 64)
		ids[(*n)++] = id;
	return id;
}

static void remove_all(void)
{
	for (int i = 0; i < nqueues; i++)
		msgctl(queues[i], IPC_RMID, 0);
	for (int i = 0; i < nsets; i++)
		semctl(sets[i], 0, IPC_RMID);
	for (int i = 0; i < nsegments; i++)
		shmctl(segments[i], IPC_RMID, 0);
}

#define QUEUE(call) track(queues, &nqueues, (call))
#define SET(call) track(sets, &nsets, (call))
#define SEGMENT(call) track(segments, &nsegments, (call))

/* A key that no queue, set or segment uses now. */
static key_t free_key(void)
{
	for (key_t key = 0x5e000000 | (getpid() & 0xffff) << 4;; key += 0x100000) {
		if (msgget(key, 0) == -1 && errno == ENOENT && semget(key, 0, 0) == -1 &&
		    errno == ENOENT && shmget(key, 0, 0) == -1 && errno == ENOENT)
			return key;
	}
}

struct message {
	long type;
	char text[64];
};

static long send_text(int q, long type, const char *text, int flags)
{
	struct message m = { type, "" };

	strcpy(m.text, text);
	return msgsnd(q, &m, strlen(text), flags);
}

/* Receives and prints one message. */
static void receive(int q, const char *what, size_t size, long type, int flags)
{
	struct message m;
	long n = msgrcv(q, &m, size, type, flags);

	if (n < 0)
		show(what, n);
	else
		printf("%s: %ld bytes, type %ld, \"%.*s\"\n", what, n, m.type, (int)n, m.text);
}

static int signals_seen;

static void on_alarm(int signal)
{
	(void)signal;
	signals_seen++;
}

/* An interval timer's SIGALRM in 100 ms, its handler installed with `flags`. */
static void alarm_soon(int flags)
{
	struct sigaction action;
	struct itimerval timer = { { 0, 0 }, { 0, 100000 } };

	memset(&action, 0, sizeof action);
	action.sa_handler = on_alarm;
	action.sa_flags = flags;
	sigemptyset(&action.sa_mask);
	sigaction(SIGALRM, &action, 0);
	setitimer(ITIMER_REAL, &timer, 0);
}

static void messages(key_t key)
{
	struct msqid_ds ds;
	struct msginfo info;
	struct message m;

	printf("== message queues\n");
	show_id("msgget private", QUEUE(msgget(IPC_PRIVATE, 0600)));
	show("msgget missing key", msgget(key, 0600));
	int q = QUEUE(msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	show_id("msgget create exclusive", q);
	show("msgget exclusive again", msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	printf("msgget existing: same id %d\n", msgget(key, 0) == q);
	printf("msgget create existing: same id %d\n", msgget(key, IPC_CREAT | 0600) == q);

	show("msgsnd type 3", send_text(q, 3, "three", 0));
	show("msgsnd type 1", send_text(q, 1, "one-a", 0));
	show("msgsnd type 2", send_text(q, 2, "two", 0));
	show("msgsnd type 1 again", send_text(q, 1, "one-b", 0));
	show("msgctl IPC_STAT", msgctl(q, IPC_STAT, &ds));
	printf("qnum %lu cbytes %lu qbytes %lu mode %o key ok %d\n", (unsigned long)ds.msg_qnum,
	       (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes,
	       ds.msg_perm.mode & 0777, ds.msg_perm.__ipc_perm_key == key);
	printf("owner is us %d, lspid is us %d, lrpid 0 %d, stime set %d, ctime set %d\n",
	       ds.msg_perm.uid == geteuid() && ds.msg_perm.cuid == geteuid(),
	       ds.msg_lspid == getpid(), ds.msg_lrpid == 0, ds.msg_stime != 0, ds.msg_ctime != 0);

	show("msgrcv MSG_COPY 2", msgrcv(q, &m, sizeof m.text, 2, MSG_COPY | IPC_NOWAIT));
	show("msgrcv MSG_COPY without IPC_NOWAIT", msgrcv(q, &m, sizeof m.text, 0, MSG_COPY));
	receive(q, "msgrcv type 2", sizeof m.text, 2, 0);
	receive(q, "msgrcv type <= 2", sizeof m.text, -2, 0);
	receive(q, "msgrcv type != 1", sizeof m.text, 1, MSG_EXCEPT);
	receive(q, "msgrcv type 7 nowait", sizeof m.text, 7, IPC_NOWAIT);
	receive(q, "msgrcv any", sizeof m.text, 0, 0);
	receive(q, "msgrcv empty nowait", sizeof m.text, 0, IPC_NOWAIT);
	msgctl(q, IPC_STAT, &ds);
	printf("after: qnum %lu cbytes %lu lrpid is us %d\n", (unsigned long)ds.msg_qnum,
	       (unsigned long)ds.__msg_cbytes, ds.msg_lrpid == getpid());

	show("msgsnd 10 bytes", send_text(q, 5, "0123456789", 0));
	receive(q, "msgrcv 4 bytes", 4, 0, IPC_NOWAIT);
	receive(q, "msgrcv 4 bytes MSG_NOERROR", 4, 0, MSG_NOERROR | IPC_NOWAIT);
	msgctl(q, IPC_STAT, &ds);
	printf("truncated message gone: qnum %lu\n", (unsigned long)ds.msg_qnum);
	show("msgsnd empty text", send_text(q, 9, "", 0));
	receive(q, "msgrcv empty text", sizeof m.text, 9, 0);

	show("msgsnd type 0", send_text(q, 0, "x", 0));
	show("msgsnd type -1", send_text(q, -1, "x", 0));
	static struct { long type; char text[9000]; } big = { 1, "" };
	show("msgsnd 8193 bytes", msgsnd(q, &big, 8193, 0));
	show("msgsnd 8192 bytes", msgsnd(q, &big, 8192, IPC_NOWAIT));
	show("msgrcv negative size", msgrcv(q, &m, (size_t)-1, 0, 0));
	show("msgsnd bad id", send_text(-1, 1, "x", 0));
	int gone = msgget(IPC_PRIVATE, 0600);
	msgctl(gone, IPC_RMID, 0);
	show("msgrcv removed id", msgrcv(gone, &m, sizeof m.text, 0, IPC_NOWAIT));
	show("msgctl bad command", msgctl(q, 99, &ds));
	printf("big text: %d\n", msgrcv(q, &big, sizeof big.text, 1, IPC_NOWAIT) == 8192);

	/* A queue of 100 bytes: a second 60-byte message does not fit. */
	msgctl(q, IPC_STAT, &ds);
	ds.msg_qbytes = 100;
	ds.msg_perm.mode = 0640;
	show("msgctl IPC_SET qbytes 100", msgctl(q, IPC_SET, &ds));
	memset(&ds, 0, sizeof ds);
	msgctl(q, IPC_STAT, &ds);
	printf("qbytes %lu mode %o\n", (unsigned long)ds.msg_qbytes, ds.msg_perm.mode & 0777);
	char sixty[61];
	memset(sixty, 's', 60);
	sixty[60] = 0;
	show("msgsnd 60 bytes", send_text(q, 1, sixty, IPC_NOWAIT));
	show("msgsnd 60 bytes more, nowait", send_text(q, 1, sixty, IPC_NOWAIT));
	show("msgsnd 40 bytes more, nowait", send_text(q, 1, sixty + 20, IPC_NOWAIT));
	msgctl(q, IPC_STAT, &ds);
	printf("full: qnum %lu cbytes %lu\n", (unsigned long)ds.msg_qnum,
	       (unsigned long)ds.__msg_cbytes);
	while (msgrcv(q, &m, sizeof m.text, 0, IPC_NOWAIT) >= 0)
		;

	int n = msgctl(0, IPC_INFO, (struct msqid_ds *)&info);
	printf("IPC_INFO: result >= 0 %d, msgmax %d msgmnb %d msgmni %d\n", n >= 0, info.msgmax,
	       info.msgmnb, info.msgmni);
	n = msgctl(0, MSG_INFO, (struct msqid_ds *)&info);
	printf("MSG_INFO: result >= 0 %d, queues >= 2 %d\n", n >= 0, info.msgpool >= 2);

	/* Root passes every permission check (a queue with mode 0 is still usable). */
	int closed = QUEUE(msgget(IPC_PRIVATE, 0));
	printf("mode 0 queue as root: send %d\n", geteuid() == 0 ? (int)send_text(closed, 1, "x", 0) : 0);

	/* A signal handler ends a wait with EINTR, even with SA_RESTART. */
	alarm_soon(0);
	receive(q, "msgrcv interrupted", sizeof m.text, 0, 0);
	alarm_soon(SA_RESTART);
	receive(q, "msgrcv interrupted (SA_RESTART)", sizeof m.text, 0, 0);
	printf("handlers ran: %d\n", signals_seen);
	signals_seen = 0;

	show("msgctl IPC_RMID", msgctl(q, IPC_RMID, 0));
	show("msgsnd removed", send_text(q, 1, "x", 0));
	show("msgctl IPC_STAT removed", msgctl(q, IPC_STAT, &ds));
	show("msgctl IPC_RMID again", msgctl(q, IPC_RMID, 0));
	printf("key free again: %d\n", msgget(key, 0) == -1 && errno == ENOENT);
}

static void print_values(int set, int count)
{
	unsigned short values[8];
	union semun arg = { .array = values };

	semctl(set, 0, GETALL, arg);
	printf("values:");
	for (int i = 0; i < count; i++)
		printf(" %u", values[i]);
	printf("\n");
}

static long semop1(int set, int num, int op, int flags)
{
	struct sembuf sop = { (unsigned short)num, (short)op, (short)flags };

	return semop(set, &sop, 1);
}

static void semaphores(key_t key)
{
	struct semid_ds ds;
	struct seminfo info;
	union semun arg;

	printf("== semaphores\n");
	show("semget too many", semget(IPC_PRIVATE, 32001, 0600));
	show("semget negative", semget(IPC_PRIVATE, -1, 0600));
	show("semget create 0 semaphores", semget(key, 0, IPC_CREAT | 0600));
	int keyed = SET(semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));
	show_id("semget create 2", keyed);
	show("semget existing asking 5", semget(key, 5, 0));
	printf("semget existing asking 0: same id %d\n", semget(key, 0, 0) == keyed);
	printf("semget existing asking 2: same id %d\n", semget(key, 2, IPC_CREAT) == keyed);
	show("semget exclusive again", semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));

	int s = SET(semget(IPC_PRIVATE, 3, 0600));
	show_id("semget private 3", s);
	print_values(s, 3);
	unsigned short initial[3] = { 1, 0, 5 };
	arg.array = initial;
	show("SETALL 1 0 5", semctl(s, 0, SETALL, arg));
	print_values(s, 3);
	show("GETVAL 2", semctl(s, 2, GETVAL));
	arg.val = 32768;
	show("SETVAL 32768", semctl(s, 1, SETVAL, arg));
	arg.val = -1;
	show("SETVAL -1", semctl(s, 1, SETVAL, arg));
	arg.val = 32767;
	show("SETVAL 32767", semctl(s, 1, SETVAL, arg));
	arg.val = 0;
	show("SETVAL 0", semctl(s, 1, SETVAL, arg));
	show("GETVAL semnum 3", semctl(s, 3, GETVAL));
	show("GETVAL semnum -1", semctl(s, -1, GETVAL));
	printf("GETPID is us: %d\n", semctl(s, 0, GETPID) == getpid());
	show("GETNCNT", semctl(s, 0, GETNCNT));
	show("GETZCNT", semctl(s, 0, GETZCNT));
	show("semctl bad command", semctl(s, 0, 99));

	/* An array is applied whole or not at all. */
	struct sembuf blocked[2] = { { 0, -1, 0 }, { 1, -1, IPC_NOWAIT } };
	show("semop {0,-1} {1,-1 nowait}", semop(s, blocked, 2));
	print_values(s, 3);
	struct sembuf both[2] = { { 0, -1, 0 }, { 2, 2, 0 } };
	show("semop {0,-1} {2,+2}", semop(s, both, 2));
	print_values(s, 3);
	struct sembuf same[3] = { { 1, 2, 0 }, { 1, -1, 0 }, { 1, -1, 0 } };
	show("semop {1,+2} {1,-1} {1,-1}", semop(s, same, 3));
	struct sembuf then_zero[2] = { { 0, 1, 0 }, { 0, 0, IPC_NOWAIT } };
	show("semop {0,+1} {0,0 nowait}", semop(s, then_zero, 2));
	show("semop wait for zero, nowait", semop1(s, 2, 0, IPC_NOWAIT));
	show("semop wait for zero, is zero", semop1(s, 1, 0, 0));
	show("semop semnum 3", semop1(s, 3, 1, 0));
	show("semop no operations", semop(s, blocked, 0));
	static struct sembuf many[501];
	show("semop 501 operations", semop(s, many, 501));
	show("semop above 32767", semop1(s, 2, 32767, 0));
	show("semop bad id", semop1(-5, 0, 1, 0));
	print_values(s, 3);

	/* SEM_UNDO: the adjustment stays within -32768..32767. */
	show("semop +32767 undo", semop1(s, 1, 32767, SEM_UNDO));
	show("semop -32767", semop1(s, 1, -32767, 0));
	show("semop +1 undo", semop1(s, 1, 1, SEM_UNDO));
	show("semop -1", semop1(s, 1, -1, 0));
	show("semop +1 undo, out of range", semop1(s, 1, 1, SEM_UNDO));
	arg.val = 0;
	show("SETVAL resets the adjustment", semctl(s, 1, SETVAL, arg));
	show("semop +1 undo again", semop1(s, 1, 1, SEM_UNDO));
	show("semop -1 undo", semop1(s, 1, -1, SEM_UNDO));

	/* semtimedop: a timeout ends the wait with EAGAIN. */
	struct sembuf down = { 1, -1, 0 };
	struct timespec timeout = { 0, 50000000 };
	uint64_t start = now_ns();
	show("semtimedop 50 ms", semtimedop(s, &down, 1, &timeout));
	printf("waited at least 50 ms: %d\n", now_ns() - start >= 50000000);
	struct timespec zero = { 0, 0 };
	show("semtimedop zero timeout", semtimedop(s, &down, 1, &zero));
	struct timespec bad = { 0, 1000000000 };
	show("semtimedop bad timeout", semtimedop(s, &down, 1, &bad));
	show("GETNCNT after timeouts", semctl(s, 1, GETNCNT));

	alarm_soon(SA_RESTART);
	show("semop interrupted", semop1(s, 1, -1, 0));
	alarm_soon(0);
	show("semop wait-for-zero interrupted", semop1(s, 2, 0, 0));
	printf("handlers ran: %d\n", signals_seen);
	signals_seen = 0;
	show("GETNCNT after signals", semctl(s, 1, GETNCNT));
	show("GETZCNT after signals", semctl(s, 2, GETZCNT));

	show("IPC_STAT", semctl(s, 0, IPC_STAT, (union semun){ .buf = &ds }));
	printf("nsems %lu mode %o otime set %d ctime set %d owner is us %d\n",
	       (unsigned long)ds.sem_nsems, ds.sem_perm.mode & 0777, ds.sem_otime != 0,
	       ds.sem_ctime != 0, ds.sem_perm.uid == geteuid());
	ds.sem_perm.mode = 0640;
	show("IPC_SET mode 0640", semctl(s, 0, IPC_SET, (union semun){ .buf = &ds }));
	memset(&ds, 0, sizeof ds);
	semctl(s, 0, IPC_STAT, (union semun){ .buf = &ds });
	printf("mode %o\n", ds.sem_perm.mode & 0777);
	int n = semctl(0, 0, IPC_INFO, (union semun){ .__buf = &info });
	printf("IPC_INFO: result >= 0 %d, semmsl %d semopm %d semvmx %d semmni %d\n", n >= 0,
	       info.semmsl, info.semopm, info.semvmx, info.semmni);
	n = semctl(0, 0, SEM_INFO, (union semun){ .__buf = &info });
	printf("SEM_INFO: result >= 0 %d, sets >= 2 %d\n", n >= 0, info.semusz >= 2);

	show("IPC_RMID", semctl(s, 0, IPC_RMID));
	show("semop removed", semop1(s, 0, 1, 0));
	show("GETVAL removed", semctl(s, 0, GETVAL));
	show("IPC_RMID keyed", semctl(keyed, 0, IPC_RMID));
	printf("key free again: %d\n", semget(key, 0, 0) == -1 && errno == ENOENT);
}

static void shared_memory(key_t key)
{
	struct shmid_ds ds;
	struct shminfo info;

	printf("== shared memory\n");
	show("shmget size 0", shmget(IPC_PRIVATE, 0, 0600));
	show("shmget missing key", shmget(key, 4096, 0600));
	int keyed = SEGMENT(shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
	show_id("shmget create 4096", keyed);
	show("shmget existing asking 8192", shmget(key, 8192, 0));
	printf("shmget existing asking 100: same id %d\n", shmget(key, 100, 0) == keyed);
	show("shmget exclusive again", shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));

	int id = SEGMENT(shmget(IPC_PRIVATE, 10000, 0600));
	show_id("shmget private 10000", id);
	unsigned char *p = shmat(id, 0, 0);
	printf("shmat: ok %d, page aligned %d\n", p != (void *)-1, ((uintptr_t)p & 4095) == 0);
	int zero = 1;
	for (int i = 0; i < 12288; i++)
		zero &= p[i] == 0;
	printf("zeroed: %d\n", zero);
	for (int i = 0; i < 10000; i++)
		p[i] = (unsigned char)(i * 7);
	show("IPC_STAT", shmctl(id, IPC_STAT, &ds));
	printf("segsz %lu nattch %lu mode %o cpid is us %d lpid is us %d atime set %d dtime 0 %d\n",
	       (unsigned long)ds.shm_segsz, (unsigned long)ds.shm_nattch, ds.shm_perm.mode & 07777,
	       ds.shm_cpid == getpid(), ds.shm_lpid == getpid(), ds.shm_atime != 0, ds.shm_dtime == 0);

	unsigned char *q = shmat(id, 0, SHM_RDONLY);
	printf("shmat SHM_RDONLY: ok %d, sees the data %d\n", q != (void *)-1,
	       q != (void *)-1 && q[9999] == (unsigned char)(9999 * 7) && q[1] == 7);
	shmctl(id, IPC_STAT, &ds);
	printf("nattch %lu\n", (unsigned long)ds.shm_nattch);
	show("shmdt second", shmdt(q));
	show("shmat at its address, attached there", (long)shmat(id, p, 0));
	show("shmat SHM_REMAP without address", (long)shmat(id, 0, SHM_REMAP));
	show("shmdt", shmdt(p));
	show("shmdt again", shmdt(p));
	show("shmdt unaligned", shmdt(p + 1));
	static char page[4096] __attribute__((aligned(4096)));
	show("shmdt never attached", shmdt(page));
	shmctl(id, IPC_STAT, &ds);
	printf("nattch %lu dtime set %d\n", (unsigned long)ds.shm_nattch, ds.shm_dtime != 0);

	unsigned char *r = shmat(id, p, 0);
	printf("shmat at the old address: same %d, data kept %d\n", r == p,
	       r == p && r[4321] == (unsigned char)(4321 * 7));
	shmdt(r);
	show("shmat unaligned", (long)shmat(id, p + 123, 0));
	r = shmat(id, p + 123, SHM_RND);
	printf("shmat unaligned SHM_RND: rounded down %d\n", r == p);
	shmdt(r);
	show("shmat bad id", (long)shmat(-1, 0, 0));
	int gone = shmget(IPC_PRIVATE, 4096, 0600);
	shmctl(gone, IPC_RMID, 0);
	show("shmat removed id", (long)shmat(gone, 0, 0));

	show("SHM_LOCK", shmctl(id, SHM_LOCK, 0));
	shmctl(id, IPC_STAT, &ds);
	printf("locked %d\n", (ds.shm_perm.mode & SHM_LOCKED) != 0);
	show("SHM_UNLOCK", shmctl(id, SHM_UNLOCK, 0));
	ds.shm_perm.mode = 0640;
	show("IPC_SET mode 0640", shmctl(id, IPC_SET, &ds));
	shmctl(id, IPC_STAT, &ds);
	printf("mode %o\n", ds.shm_perm.mode & 07777);
	show("shmctl bad command", shmctl(id, 99, &ds));

	int n = shmctl(0, IPC_INFO, (struct shmid_ds *)&info);
	printf("IPC_INFO: result >= 0 %d, shmmin %lu shmmni %lu shmmax %lu\n", n >= 0,
	       (unsigned long)info.shmmin, (unsigned long)info.shmmni, (unsigned long)info.shmmax);
	struct shm_info usage;
	n = shmctl(0, SHM_INFO, (struct shmid_ds *)&usage);
	printf("SHM_INFO: result >= 0 %d, segments >= 2 %d\n", n >= 0, usage.__used_ids >= 2);

	/* Removed while attached: marked, its key private, freed at the last detach. */
	unsigned char *k = shmat(keyed, 0, 0);
	strcpy((char *)k, "still here");
	show("IPC_RMID attached", shmctl(keyed, IPC_RMID, 0));
	show("IPC_STAT marked", shmctl(keyed, IPC_STAT, &ds));
	printf("SHM_DEST %d key private %d nattch %lu\n", (ds.shm_perm.mode & SHM_DEST) != 0,
	       ds.shm_perm.__ipc_perm_key == IPC_PRIVATE, (unsigned long)ds.shm_nattch);
	show("shmget its key", shmget(key, 4096, 0600));
	printf("memory kept: %s\n", k);
	unsigned char *again = shmat(keyed, 0, 0);
	printf("attach by id after IPC_RMID: ok %d\n", again != (void *)-1);
	shmdt(again);
	show("shmdt last", shmdt(k));
	show("IPC_STAT after last detach", shmctl(keyed, IPC_STAT, &ds));
	show("IPC_RMID unattached", shmctl(id, IPC_RMID, 0));
	show("IPC_STAT removed", shmctl(id, IPC_STAT, &ds));
}

/* Permissions for another effective user (nobody): the mode decides, and only the owner, the
 * creator or root may change or remove an object. (Root's own bypass, CAP_IPC_OWNER, is shown
 * by the mode 0 queue above; raising msg_qbytes above MSGMNB needs CAP_SYS_RESOURCE, which
 * containers often take from root, so it is only tried as nobody.) */
static void permissions(key_t key)
{
	struct msqid_ds ds;
	struct message m;
	union semun arg;

	printf("== permissions\n");
	int own = QUEUE(msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	int open_to_all = QUEUE(msgget(IPC_PRIVATE, 0622));
	int set = SET(semget(IPC_PRIVATE, 1, 0644));
	int segment = SEGMENT(shmget(IPC_PRIVATE, 4096, 0644));
	show("seteuid nobody", seteuid(65534));
	show("msgget 0600 queue of root", msgget(key, 0600));
	printf("msgget asking no access: same id %d\n", msgget(key, 0) == own);
	show("msgsnd 0600 queue of root", send_text(own, 1, "x", IPC_NOWAIT));
	show("msgctl IPC_STAT", msgctl(own, IPC_STAT, &ds));
	show("msgctl IPC_RMID", msgctl(own, IPC_RMID, 0));
	show("msgsnd 0622 queue", send_text(open_to_all, 1, "x", IPC_NOWAIT));
	show("msgrcv 0622 queue", msgrcv(open_to_all, &m, sizeof m.text, 0, IPC_NOWAIT));
	show("GETVAL 0644 set", semctl(set, 0, GETVAL));
	arg.val = 1;
	show("SETVAL 0644 set", semctl(set, 0, SETVAL, arg));
	show("semop 0644 set", semop1(set, 0, 1, IPC_NOWAIT));
	show("semop wait-for-zero 0644 set", semop1(set, 0, 0, IPC_NOWAIT));
	show("shmat 0644 segment", (long)shmat(segment, 0, 0));
	void *p = shmat(segment, 0, SHM_RDONLY);
	printf("shmat 0644 segment SHM_RDONLY: ok %d\n", p != (void *)-1);
	shmdt(p);
	int mine = QUEUE(msgget(IPC_PRIVATE, 0600));
	msgctl(mine, IPC_STAT, &ds);
	printf("own queue: owner nobody %d\n", ds.msg_perm.uid == 65534 && ds.msg_perm.cuid == 65534);
	ds.msg_qbytes = 20000;
	show("msgctl IPC_SET qbytes above msgmnb", msgctl(mine, IPC_SET, &ds));
	ds.msg_qbytes = 1000;
	ds.msg_perm.mode = 0;
	show("msgctl IPC_SET mode 0", msgctl(mine, IPC_SET, &ds));
	show("msgctl IPC_STAT mode 0", msgctl(mine, IPC_STAT, &ds));
	show("seteuid root", seteuid(0));
	msgctl(mine, IPC_STAT, &ds);
	printf("as root: qbytes %lu mode %o\n", (unsigned long)ds.msg_qbytes, ds.msg_perm.mode & 0777);
	show("msgctl IPC_RMID nobody's queue", msgctl(mine, IPC_RMID, 0));
	show("msgctl IPC_RMID", msgctl(own, IPC_RMID, 0));
	show("msgctl IPC_RMID 0622", msgctl(open_to_all, IPC_RMID, 0));
	semctl(set, 0, IPC_RMID);
	shmctl(segment, IPC_RMID, 0);
}

#ifndef SINGLE_THREADED
static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int queue, set;
static volatile int started;

static void *receiver(void *arg)
{
	struct message m;

	(void)arg;
	started = 1;
	long n = msgrcv(queue, &m, sizeof m.text, 4, 0);
	return (void *)(n < 0 ? -(long)errno : n);
}

static void *sender(void *arg)
{
	(void)arg;
	started = 1;
	return (void *)(send_text(queue, 1, "0123456789", 0) < 0 ? -(long)errno : 0);
}

static void *decrementer(void *arg)
{
	started = 1;
	return (void *)(semop1(set, 0, (int)(long)arg, 0) < 0 ? -(long)errno : 0);
}

static void *zero_waiter(void *arg)
{
	(void)arg;
	started = 1;
	return (void *)(semop1(set, 1, 0, 0) < 0 ? -(long)errno : 0);
}

static void joined(const char *what, pthread_t thread)
{
	void *result;

	pthread_join(thread, &result);
	long r = (long)result;
	if (r < 0)
		printf("%s: -1 %s\n", what, name((int)-r));
	else
		printf("%s: %ld\n", what, r);
}

/* Polls semctl(cmd) until it answers `value` (a thread is waiting), for up to 10 s. */
static int wait_for_count(int cmd, int num, int value)
{
	for (int i = 0; i < 1000; i++) {
		if (semctl(set, num, cmd) == value)
			return 1;
		sleep_ms(10);
	}
	return 0;
}

static void threads(void)
{
	pthread_t thread;
	struct msqid_ds ds;

	printf("== threads\n");
	queue = QUEUE(msgget(IPC_PRIVATE, 0600));
	started = 0;
	pthread_create(&thread, 0, receiver, 0);
	while (!started)
		sleep_ms(1);
	sleep_ms(50);
	send_text(queue, 3, "not this", 0);
	send_text(queue, 4, "for the receiver", 0);
	joined("msgrcv woken by msgsnd", thread);
	msgctl(queue, IPC_STAT, &ds);
	printf("left in the queue: %lu\n", (unsigned long)ds.msg_qnum);

	/* A full queue: the sender waits until a message is taken. */
	ds.msg_qbytes = 12;
	msgctl(queue, IPC_SET, &ds);
	started = 0;
	pthread_create(&thread, 0, sender, 0);
	while (!started)
		sleep_ms(1);
	sleep_ms(50);
	msgctl(queue, IPC_STAT, &ds);
	printf("sender blocked: qnum %lu\n", (unsigned long)ds.msg_qnum);
	receive(queue, "msgrcv makes room", 64, 0, 0);
	joined("msgsnd woken by msgrcv", thread);
	receive(queue, "msgrcv the waiting sender's", 64, 0, IPC_NOWAIT);

	started = 0;
	pthread_create(&thread, 0, receiver, 0);
	while (!started)
		sleep_ms(1);
	sleep_ms(200);
	show("msgctl IPC_RMID with a receiver waiting", msgctl(queue, IPC_RMID, 0));
	joined("msgrcv of a removed queue", thread);

	set = SET(semget(IPC_PRIVATE, 2, 0600));
	pthread_create(&thread, 0, decrementer, (void *)-2L);
	printf("GETNCNT reaches 1: %d\n", wait_for_count(GETNCNT, 0, 1));
	show("semop +1", semop1(set, 0, 1, 0));
	sleep_ms(20);
	show("GETNCNT still waiting for 2", semctl(set, 0, GETNCNT));
	show("semop +1 again", semop1(set, 0, 1, 0));
	joined("semop woken by semop", thread);
	show("GETNCNT after", semctl(set, 0, GETNCNT));
	print_values(set, 2);

	union semun arg = { .val = 3 };
	semctl(set, 1, SETVAL, arg);
	pthread_create(&thread, 0, zero_waiter, 0);
	printf("GETZCNT reaches 1: %d\n", wait_for_count(GETZCNT, 1, 1));
	show("semop -3", semop1(set, 1, -3, 0));
	joined("wait for zero woken", thread);

	pthread_create(&thread, 0, decrementer, (void *)-1L);
	printf("GETNCNT reaches 1: %d\n", wait_for_count(GETNCNT, 0, 1));
	show("semctl IPC_RMID with a waiter", semctl(set, 0, IPC_RMID));
	joined("semop of a removed set", thread);
}
#endif

int main(void)
{
	setvbuf(stdout, 0, _IONBF, 0);
	atexit(remove_all);
	key_t key = free_key();
	messages(key);
	semaphores(key);
	shared_memory(key);
	if (geteuid() == 0)
		permissions(key);
#ifndef SINGLE_THREADED
	threads();
#endif
	printf("== done\n");
	return 0;
}
