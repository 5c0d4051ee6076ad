//! Which message `msgrcv` takes, by its `msgtyp` and flags, as Linux's `find_msg` chooses.

use alloc::vec::Vec;

pub const MSG_EXCEPT: i32 = 0o20000;
pub const MSG_COPY: i32 = 0o40000;

/// One message: its type and text.
pub struct Message {
    pub kind: i64,
    pub text: Vec<u8>,
}

/// Which message `msgrcv` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Search {
    /// The first (`msgtyp` 0).
    Any,
    /// The first of this type (`msgtyp` > 0).
    Equal(i64),
    /// The first of another type (`msgtyp` > 0 with `MSG_EXCEPT`).
    NotEqual(i64),
    /// The first of the lowest type at most this (`msgtyp` < 0).
    LessEqual(i64),
    /// The one at this position, counting from 0 (`MSG_COPY`).
    Number(i64),
}

impl Search {
    pub fn new(msgtyp: i64, flags: i32) -> Search {
        if flags & MSG_COPY != 0 {
            Search::Number(msgtyp)
        } else if msgtyp == 0 {
            Search::Any
        } else if msgtyp < 0 {
            Search::LessEqual(msgtyp.checked_neg().unwrap_or(i64::MAX))
        } else if flags & MSG_EXCEPT != 0 {
            Search::NotEqual(msgtyp)
        } else {
            Search::Equal(msgtyp)
        }
    }

    /// The position of the message this search takes among `messages`.
    pub fn find<'a>(self, messages: impl Iterator<Item = &'a Message>) -> Option<usize> {
        let mut best: Option<(usize, i64)> = None;
        for (at, message) in messages.enumerate() {
            match self {
                Search::Any => return Some(at),
                Search::Equal(kind) if message.kind == kind => return Some(at),
                Search::NotEqual(kind) if message.kind != kind => return Some(at),
                Search::Number(n) if at as i64 == n => return Some(at),
                Search::LessEqual(limit)
                    if message.kind <= limit && best.is_none_or(|(_, k)| message.kind < k) =>
                {
                    best = Some((at, message.kind));
                }
                _ => {}
            }
        }
        best.map(|(at, _)| at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    const IPC_NOWAIT: i32 = 0o4000;

    fn queue(kinds: &[i64]) -> Vec<Message> {
        kinds
            .iter()
            .map(|&kind| Message {
                kind,
                text: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn msgtyp_selects_as_linux_does() {
        let messages = queue(&[3, 1, 2, 1, 5]);
        let find = |msgtyp, flags| Search::new(msgtyp, flags).find(messages.iter());
        assert_eq!(find(0, 0), Some(0));
        assert_eq!(find(2, 0), Some(2));
        assert_eq!(find(4, 0), None);
        assert_eq!(find(3, MSG_EXCEPT), Some(1));
        // The lowest type at most |msgtyp|, first of equals.
        assert_eq!(find(-2, 0), Some(1));
        assert_eq!(find(-10, 0), Some(1));
        assert_eq!(find(-1, 0), Some(1));
        assert_eq!(Search::new(-3, 0).find(queue(&[3, 2]).iter()), Some(1));
        assert_eq!(Search::new(i64::MIN, 0), Search::LessEqual(i64::MAX));
        assert_eq!(find(4, MSG_COPY | IPC_NOWAIT), Some(4));
        assert_eq!(find(5, MSG_COPY | IPC_NOWAIT), None);
        // MSG_EXCEPT with type 0 takes any.
        assert_eq!(find(0, MSG_EXCEPT), Some(0));
    }
}
