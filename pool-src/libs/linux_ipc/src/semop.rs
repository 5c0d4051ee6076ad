//! What a `semop` array does to a set's values: Linux's `perform_atomic_semop`.

use alloc::vec::Vec;

/// The largest value and the largest `SEM_UNDO` adjustment.
pub const SEMVMX: i32 = 32767;
pub const SEMAEM: i32 = SEMVMX;

pub const SEM_UNDO: i16 = 0x1000;

/// One semaphore.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Semaphore {
    pub value: i32,
    /// The last process to change it (`GETPID`).
    pub pid: i32,
    /// Callers waiting for it to grow (`GETNCNT`) or to be zero (`GETZCNT`).
    pub waiting_increase: u32,
    pub waiting_zero: u32,
    /// The process's `SEM_UNDO` adjustment.
    pub adjustment: i32,
}

/// `struct sembuf`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SemBuf {
    pub num: u16,
    pub op: i16,
    pub flags: i16,
}

/// What an operation array does to a set's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Applied.
    Done,
    /// Not applied: the operation at this index cannot proceed now.
    Blocks(usize),
    /// Not applied: a value or an adjustment would leave its range.
    OutOfRange,
}

/// Linux's `perform_atomic_semop`: applies `ops` in order, each on the values the ones before
/// it left, or none of them. `ops` only name semaphores of `semaphores`.
pub fn apply(semaphores: &mut [Semaphore], ops: &[SemBuf]) -> Outcome {
    let mut saved: Vec<(usize, Semaphore)> = Vec::with_capacity(ops.len());
    let mut outcome = Outcome::Done;
    for (at, op) in ops.iter().enumerate() {
        let index = usize::from(op.num);
        let semaphore = semaphores[index];
        let result = semaphore.value + i32::from(op.op);
        if (op.op == 0 && semaphore.value != 0) || result < 0 {
            outcome = Outcome::Blocks(at);
            break;
        }
        if result > SEMVMX {
            outcome = Outcome::OutOfRange;
            break;
        }
        let mut adjustment = semaphore.adjustment;
        if op.flags & SEM_UNDO != 0 {
            adjustment -= i32::from(op.op);
            if !(-SEMAEM - 1..=SEMAEM).contains(&adjustment) {
                outcome = Outcome::OutOfRange;
                break;
            }
        }
        saved.push((index, semaphore));
        semaphores[index].value = result;
        semaphores[index].adjustment = adjustment;
    }
    if outcome != Outcome::Done {
        for (index, semaphore) in saved.into_iter().rev() {
            semaphores[index] = semaphore;
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn op(num: u16, op: i16, flags: i16) -> SemBuf {
        SemBuf { num, op, flags }
    }

    fn values(semaphores: &[Semaphore]) -> Vec<i32> {
        semaphores.iter().map(|s| s.value).collect()
    }

    #[test]
    fn an_array_applies_whole_or_not_at_all() {
        let mut set = vec![Semaphore::default(); 3];
        set[0].value = 1;
        assert_eq!(apply(&mut set, &[op(0, -1, 0), op(1, 2, 0)]), Outcome::Done);
        assert_eq!(values(&set), [0, 2, 0]);
        // The second operation blocks: the first is undone.
        assert_eq!(
            apply(&mut set, &[op(1, -1, 0), op(0, -1, 0)]),
            Outcome::Blocks(1)
        );
        assert_eq!(values(&set), [0, 2, 0]);
        // Operations on one semaphore see each other's results.
        assert_eq!(
            apply(&mut set, &[op(2, 1, 0), op(2, -1, 0), op(2, 0, 0)]),
            Outcome::Done
        );
        assert_eq!(apply(&mut set, &[op(1, 0, 0)]), Outcome::Blocks(0));
        assert_eq!(
            apply(&mut set, &[op(0, 1, 0), op(1, 32767, 0)]),
            Outcome::OutOfRange
        );
        assert_eq!(values(&set), [0, 2, 0]);
    }

    #[test]
    fn undo_adjustments_are_kept_and_bounded() {
        let mut set = vec![Semaphore::default(); 1];
        assert_eq!(apply(&mut set, &[op(0, 5, SEM_UNDO)]), Outcome::Done);
        assert_eq!(set[0].adjustment, -5);
        assert_eq!(apply(&mut set, &[op(0, -2, SEM_UNDO)]), Outcome::Done);
        assert_eq!(set[0].adjustment, -3);
        set[0].adjustment = -SEMAEM;
        assert_eq!(apply(&mut set, &[op(0, 2, SEM_UNDO)]), Outcome::OutOfRange);
        assert_eq!(set[0].adjustment, -SEMAEM);
        assert_eq!(set[0].value, 3);
    }
}
