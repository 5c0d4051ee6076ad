//! The run queue and the deadline queue, linked through the `struct uk_thread_sched` at the
//! start of every thread.

use core::ptr;

pub const RUNNABLE: i32 = 0;
pub const BLOCKED: i32 = 1;
#[cfg(test)]
pub const EXITED: i32 = 2;
pub const FOREVER: u64 = u64::MAX;

/// Which queue holds a thread (`queued`).
const NOWHERE: i32 = 0;
const IN_RUN_QUEUE: i32 = 1;
const IN_DEADLINES: i32 = 2;

/// `struct uk_thread_sched`, the first member of every `struct uk_thread`.
#[repr(C)]
pub struct Node {
    pub next: *mut Node,
    pub prev: *mut Node,
    pub wakeup_ns: u64,
    pub state: i32,
    pub queued: i32,
}

/// A doubly linked list of nodes.
struct List {
    head: *mut Node,
    tail: *mut Node,
}

impl List {
    const fn new() -> List {
        List {
            head: ptr::null_mut(),
            tail: ptr::null_mut(),
        }
    }

    /// Links `node` in front of `before` (at the end when `before` is null).
    ///
    /// # Safety
    /// `node` is on no list; `before` is null or on this list.
    unsafe fn insert_before(&mut self, node: *mut Node, before: *mut Node) {
        // SAFETY: the caller's contract; every linked node is live.
        unsafe {
            let after = if before.is_null() {
                self.tail
            } else {
                (*before).prev
            };
            (*node).prev = after;
            (*node).next = before;
            if after.is_null() {
                self.head = node;
            } else {
                (*after).next = node;
            }
            if before.is_null() {
                self.tail = node;
            } else {
                (*before).prev = node;
            }
        }
    }

    /// # Safety
    /// `node` is on this list.
    unsafe fn remove(&mut self, node: *mut Node) {
        // SAFETY: the caller's contract.
        unsafe {
            let (prev, next) = ((*node).prev, (*node).next);
            if prev.is_null() {
                self.head = next;
            } else {
                (*prev).next = next;
            }
            if next.is_null() {
                self.tail = prev;
            } else {
                (*next).prev = prev;
            }
            (*node).next = ptr::null_mut();
            (*node).prev = ptr::null_mut();
        }
    }
}

/// The scheduler's two queues.
pub struct Queues {
    run: List,
    deadlines: List,
}

impl Queues {
    pub const fn new() -> Queues {
        Queues {
            run: List::new(),
            deadlines: List::new(),
        }
    }

    /// Takes `node` off whichever queue holds it.
    ///
    /// # Safety
    /// `node` is live and, if queued, on one of these queues.
    unsafe fn unqueue(&mut self, node: *mut Node) {
        // SAFETY: the caller's contract.
        unsafe {
            match (*node).queued {
                IN_RUN_QUEUE => self.run.remove(node),
                IN_DEADLINES => self.deadlines.remove(node),
                _ => {}
            }
            (*node).queued = NOWHERE;
        }
    }

    /// Queues a runnable thread at the end of the run queue (nothing if it is there already).
    ///
    /// # Safety
    /// `node` is a live thread.
    pub unsafe fn ready(&mut self, node: *mut Node) {
        // SAFETY: the caller's contract.
        unsafe {
            if (*node).queued == IN_RUN_QUEUE {
                return;
            }
            self.unqueue(node);
            (*node).state = RUNNABLE;
            (*node).queued = IN_RUN_QUEUE;
            self.run.insert_before(node, ptr::null_mut());
        }
    }

    /// Files the thread that gives up the CPU by its state: runnable ones go to the end of the
    /// run queue, blocked ones with a deadline to the deadline queue (after equal deadlines).
    ///
    /// # Safety
    /// `node` is the live current thread, on no queue.
    pub unsafe fn put_back(&mut self, node: *mut Node) {
        // SAFETY: the caller's contract; the deadline queue holds live nodes.
        unsafe {
            match (*node).state {
                RUNNABLE => self.ready(node),
                BLOCKED if (*node).wakeup_ns != FOREVER => {
                    self.unqueue(node);
                    let mut before = self.deadlines.head;
                    while !before.is_null() && (*before).wakeup_ns <= (*node).wakeup_ns {
                        before = (*before).next;
                    }
                    (*node).queued = IN_DEADLINES;
                    self.deadlines.insert_before(node, before);
                }
                _ => {}
            }
        }
    }

    /// Makes every thread whose deadline is at or before `now` runnable.
    pub fn expire(&mut self, now: u64) {
        // SAFETY: the deadline queue holds live nodes.
        unsafe {
            while !self.deadlines.head.is_null() && (*self.deadlines.head).wakeup_ns <= now {
                self.ready(self.deadlines.head);
            }
        }
    }

    /// Takes the next runnable thread off the run queue.
    pub fn next(&mut self) -> Option<*mut Node> {
        let node = self.run.head;
        if node.is_null() {
            return None;
        }
        // SAFETY: the head is a live node of the run queue.
        unsafe { self.unqueue(node) };
        Some(node)
    }

    /// Whether a thread waits in the run queue.
    pub fn has_runnable(&self) -> bool {
        !self.run.head.is_null()
    }

    /// The earliest deadline of a blocked thread.
    pub fn next_deadline(&self) -> Option<u64> {
        // SAFETY: the head, if any, is live.
        (!self.deadlines.head.is_null()).then(|| unsafe { (*self.deadlines.head).wakeup_ns })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(count: usize) -> Vec<Node> {
        (0..count)
            .map(|_| Node {
                next: ptr::null_mut(),
                prev: ptr::null_mut(),
                wakeup_ns: FOREVER,
                state: RUNNABLE,
                queued: 0,
            })
            .collect()
    }

    #[test]
    fn run_queue_is_fifo_and_ready_is_idempotent() {
        let mut n = nodes(3);
        let p: Vec<*mut Node> = n.iter_mut().map(|x| x as *mut Node).collect();
        let mut q = Queues::new();
        assert!(!q.has_runnable());
        // SAFETY: the nodes outlive the queues.
        unsafe {
            q.ready(p[0]);
            q.ready(p[1]);
            q.ready(p[0]);
            q.ready(p[2]);
        }
        assert!(q.has_runnable());
        assert_eq!(q.next(), Some(p[0]));
        assert_eq!(q.next(), Some(p[1]));
        assert_eq!(q.next(), Some(p[2]));
        assert_eq!(q.next(), None);
        assert!(!q.has_runnable());
    }

    #[test]
    fn deadlines_expire_in_order_and_a_wake_removes_a_deadline() {
        let mut n = nodes(4);
        let p: Vec<*mut Node> = n.iter_mut().map(|x| x as *mut Node).collect();
        let mut q = Queues::new();
        for (index, deadline) in [(0, 300), (1, 100), (2, 200), (3, 100)] {
            n[index].state = BLOCKED;
            n[index].wakeup_ns = deadline;
        }
        // SAFETY: the nodes outlive the queues.
        unsafe {
            for &node in &p {
                q.put_back(node);
            }
        }
        assert_eq!(q.next_deadline(), Some(100));
        q.expire(99);
        assert_eq!(q.next(), None);
        // A wake takes node 2 out of the deadline queue.
        // SAFETY: as above.
        unsafe { q.ready(p[2]) };
        q.expire(150);
        assert_eq!(q.next(), Some(p[2]));
        assert_eq!(q.next(), Some(p[1]));
        assert_eq!(q.next(), Some(p[3]));
        assert_eq!(q.next(), None);
        assert_eq!(q.next_deadline(), Some(300));
        q.expire(u64::MAX - 1);
        assert_eq!(q.next(), Some(p[0]));
        assert_eq!(q.next_deadline(), None);
        // Blocked without a deadline: on no queue; exited: likewise.
        n[1].state = BLOCKED;
        n[1].wakeup_ns = FOREVER;
        n[3].state = EXITED;
        // SAFETY: as above.
        unsafe {
            q.put_back(p[1]);
            q.put_back(p[3]);
        }
        assert_eq!(q.next(), None);
        assert_eq!(q.next_deadline(), None);
    }
}
