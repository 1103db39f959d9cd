// The pool of threads that runs the chunks of the library's parallel sums (see include/CKernels.h and
// ParallelChunks.swift).
//
// libdispatch hands each concurrentPerform to its workers through the kernel: a futex wake per call and
// per worker, and the woken thread's way back through the scheduler. On this project's 2-core VM that
// costs 40–60 µs per call, as much as the work of a pass over a few thousand rows, so the adaptive fit's
// passes on its 2000-row sample ran no faster on two chunks than on one. These workers instead spin for a
// short while after each job, watching one word, and a job posted within that time starts on them at
// once; idle longer, they sleep on a condition variable and the next job wakes them.
//
// One job at a time: a caller that finds the pool busy (another thread's job, or a chunk of a job that
// asks for chunks itself) gets 0 and runs its chunks elsewhere. The caller takes chunks too, so a job
// finishes even when no worker comes (asleep, or never started, as in a child after fork()).
//
// The job word holds the job's generation (high 32 bits), its chunk count (16 bits) and the next
// unclaimed chunk (low 16 bits). A chunk is claimed by a compare-and-swap on the word, and whether one is
// left is read from the word the swap validates, never from a field: a claimer that read a finished job's
// word cannot claim a chunk of the next one, whose fields may already be written. The job's body and
// context are read after the claim, and they are the claimed job's: it cannot finish, and its caller
// cannot post the next job, before the claimed chunk is counted done.
#define _GNU_SOURCE
#include "CKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define spin_pause() _mm_pause()
#elif defined(__aarch64__)
#define spin_pause() __asm__ __volatile__("yield")
#else
#define spin_pause() ((void)0)
#endif

/// How long a worker spins for the next job before it sleeps, and how long the caller spins for the
/// workers' last chunks before it sleeps: the gap between two passes of a fit (a p × p solve, the (α, c)
/// step) is tens of microseconds, a sleep and wake-up 40–60 µs.
#define WORKER_SPIN_NS 100000
#define CALLER_SPIN_NS 50000

/// Pauses between two yields and looks at the clock: about a microsecond.
#define SPINS_PER_YIELD 32

/// At most ParallelChunks.maximum chunks run at once: the caller and 7 workers.
#define MAX_WORKERS 7

/// The most chunks of a job: the count's 16 bits of the job word (larger jobs go elsewhere).
#define MAX_CHUNKS 0xFFFF

static struct {
  _Alignas(64) _Atomic uint64_t word;
  _Alignas(64) _Atomic long done;
  _Atomic int caller_sleeps;
  _Alignas(64) _Atomic(rf_chunk_body) body;
  _Atomic(void *) context;
  _Atomic int busy;
  _Atomic int sleepers;
  _Atomic int workers;
  _Atomic int ready;
  pthread_mutex_t lock;
  pthread_cond_t job_posted, job_done;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER,
          .job_posted = PTHREAD_COND_INITIALIZER,
          .job_done = PTHREAD_COND_INITIALIZER};

static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint32_t generation(uint64_t word) { return (uint32_t)(word >> 32); }

static uint32_t chunk_count(uint64_t word) { return (uint32_t)(word >> 16) & 0xFFFF; }
static uint32_t next_chunk(uint64_t word) { return (uint32_t)word & 0xFFFF; }

/// A spin that pauses, lets any other thread waiting for the core run about every microsecond
/// (sched_yield: the adaptive fit's second scan, libdispatch's workers), and says when `budget`
/// nanoseconds have passed since it started.
struct spin {
  uint64_t since;
  unsigned count;
};

static struct spin spin_start(void) { return (struct spin){now_ns(), 0}; }

/// One pause; 1 once the spin's budget is spent (looked at after each yield).
static int spin_once(struct spin *spin, uint64_t budget) {
  spin_pause();
  if (++spin->count % SPINS_PER_YIELD != 0) return 0;
  sched_yield();
  return now_ns() - spin->since > budget;
}

/// Claims and runs chunks of job `gen` until none is left or the job is no longer open.
static void run_chunks(uint32_t gen) {
  uint64_t word = atomic_load(&pool.word);
  for (;;) {
    if (generation(word) != gen) return;
    uint32_t chunk = next_chunk(word), chunks = chunk_count(word);
    if (chunk >= chunks) return;
    if (!atomic_compare_exchange_weak(&pool.word, &word, word + 1)) continue;
    rf_chunk_body body = atomic_load_explicit(&pool.body, memory_order_relaxed);
    void *context = atomic_load_explicit(&pool.context, memory_order_relaxed);
    body(context, (long)chunk);
    if (atomic_fetch_add(&pool.done, 1) + 1 == (long)chunks && atomic_load(&pool.caller_sleeps)) {
      pthread_mutex_lock(&pool.lock);
      pthread_cond_broadcast(&pool.job_done);
      pthread_mutex_unlock(&pool.lock);
    }
    word = atomic_load(&pool.word);
  }
}

static void *worker(void *argument) {
  uint32_t seen = (uint32_t)(uintptr_t)argument;
  for (;;) {
    struct spin spin = spin_start();
    uint32_t gen;
    while ((gen = generation(atomic_load(&pool.word))) == seen) {
      if (!spin_once(&spin, WORKER_SPIN_NS)) continue;
      pthread_mutex_lock(&pool.lock);
      atomic_fetch_add(&pool.sleepers, 1);
      while (generation(atomic_load(&pool.word)) == seen) pthread_cond_wait(&pool.job_posted, &pool.lock);
      atomic_fetch_sub(&pool.sleepers, 1);
      pthread_mutex_unlock(&pool.lock);
      spin = spin_start();
    }
    seen = gen;
    run_chunks(gen);
  }
  return NULL;
}

static int available_cores(void) {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

static void before_fork(void) {
  pthread_mutex_lock(&start_lock);
  pthread_mutex_lock(&pool.lock);
}

static void after_fork_in_parent(void) {
  pthread_mutex_unlock(&pool.lock);
  pthread_mutex_unlock(&start_lock);
}

/// In the child only the forking thread lives: no workers, no job (any open one is closed), and the
/// next job starts the workers anew.
static void after_fork_in_child(void) {
  pthread_mutex_unlock(&pool.lock);
  pthread_mutex_unlock(&start_lock);
  pthread_cond_init(&pool.job_posted, NULL);
  pthread_cond_init(&pool.job_done, NULL);
  uint32_t gen = generation(atomic_load(&pool.word)) + 1;
  atomic_store(&pool.word, (uint64_t)gen << 32);  // a count of 0: nothing to claim
  atomic_store(&pool.busy, 0);
  atomic_store(&pool.sleepers, 0);
  atomic_store(&pool.caller_sleeps, 0);
  atomic_store(&pool.workers, 0);
  atomic_store(&pool.ready, 0);
}

static void start_workers(void) {
  static int registered = 0;
  pthread_mutex_lock(&start_lock);
  if (!atomic_load(&pool.ready)) {
    if (!registered) registered = pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child) == 0;
    int wanted = available_cores() - 1;
    if (wanted > MAX_WORKERS) wanted = MAX_WORKERS;
    uint32_t seen = generation(atomic_load(&pool.word));
    int started = 0;
    for (int i = 0; i < wanted; i++) {
      pthread_attr_t attributes;
      pthread_attr_init(&attributes);
      pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
      pthread_t thread;
      if (pthread_create(&thread, &attributes, worker, (void *)(uintptr_t)seen) == 0) started++;
      pthread_attr_destroy(&attributes);
    }
    atomic_store(&pool.workers, started);
    atomic_store(&pool.ready, 1);
  }
  pthread_mutex_unlock(&start_lock);
}

/// The number of workers, started on the first call (in this process: again after a fork).
static int workers(void) {
  if (!atomic_load_explicit(&pool.ready, memory_order_acquire)) start_workers();
  return atomic_load(&pool.workers);
}

int rf_chunk_pool_run(long chunks, rf_chunk_body body, void *context) {
  if (chunks < 1) return 1;
  if (chunks > MAX_CHUNKS) return 0;
  int idle = 0;
  if (workers() == 0 || !atomic_compare_exchange_strong(&pool.busy, &idle, 1)) return 0;
  atomic_store_explicit(&pool.body, body, memory_order_relaxed);
  atomic_store_explicit(&pool.context, context, memory_order_relaxed);
  atomic_store_explicit(&pool.done, 0, memory_order_relaxed);
  uint32_t gen = generation(atomic_load(&pool.word)) + 1;
  atomic_store(&pool.word, ((uint64_t)gen << 32) | ((uint64_t)chunks << 16));
  if (atomic_load(&pool.sleepers) > 0) {
    pthread_mutex_lock(&pool.lock);
    pthread_cond_broadcast(&pool.job_posted);
    pthread_mutex_unlock(&pool.lock);
  }
  run_chunks(gen);
  struct spin spin = spin_start();
  while (atomic_load(&pool.done) < chunks) {
    if (!spin_once(&spin, CALLER_SPIN_NS)) continue;
    pthread_mutex_lock(&pool.lock);
    atomic_store(&pool.caller_sleeps, 1);
    while (atomic_load(&pool.done) < chunks) pthread_cond_wait(&pool.job_done, &pool.lock);
    atomic_store(&pool.caller_sleeps, 0);
    pthread_mutex_unlock(&pool.lock);
  }
  atomic_store_explicit(&pool.busy, 0, memory_order_release);
  return 1;
}

int rf_chunk_pool_workers(void) { return workers(); }
