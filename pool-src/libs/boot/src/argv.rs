//! Splitting the command line into `argv`.
//!
//! Arguments are separated by spaces, tabs or newlines. Double quotes group text that contains
//! them (the quotes themselves are dropped, `"a b"c` is one argument `a bc`), and a backslash
//! takes the next character literally (`\"`, `\\`, `\ `). `argv[0]` is the image name.
//! Storage is static (no allocator runs yet): a command line longer than [`MAX_CMDLINE`] bytes
//! or with more than [`MAX_ARGS`] arguments is cut, with a warning on the console.

/// Bytes of argument text kept (including the NULs that end the arguments).
pub const MAX_CMDLINE: usize = 4096;
/// Arguments kept, `argv[0]` included.
pub const MAX_ARGS: usize = 128;
/// `argv[0]`.
pub const IMAGE_NAME: &[u8] = b"ukl\0";

/// The split command line: argument text and the `argv` pointer array (NULL-terminated).
pub struct Arguments {
    text: [u8; MAX_CMDLINE],
    starts: [usize; MAX_ARGS],
    count: usize,
    pub truncated: bool,
}

impl Arguments {
    pub const fn new() -> Arguments {
        Arguments {
            text: [0; MAX_CMDLINE],
            starts: [0; MAX_ARGS],
            count: 0,
            truncated: false,
        }
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// Argument `index` without its NUL.
    #[cfg(test)]
    pub fn get(&self, index: usize) -> &[u8] {
        let start = self.starts[index];
        let len = self.text[start..]
            .iter()
            .position(|&byte| byte == 0)
            .unwrap_or(0);
        &self.text[start..start + len]
    }

    /// Splits `cmdline` (without NUL) after `argv[0]` = [`IMAGE_NAME`].
    pub fn split(&mut self, cmdline: &[u8]) {
        let mut used = 0;
        self.text[..IMAGE_NAME.len()].copy_from_slice(IMAGE_NAME);
        self.starts[0] = 0;
        used += IMAGE_NAME.len();
        self.count = 1;

        let mut bytes = cmdline.iter().copied().peekable();
        loop {
            while bytes.next_if(|byte| is_space(*byte)).is_some() {}
            if bytes.peek().is_none() {
                break;
            }
            if self.count == MAX_ARGS - 1 {
                self.truncated = true;
                break;
            }
            let start = used;
            let mut quoted = false;
            while let Some(byte) = bytes.next() {
                let literal = match byte {
                    b'"' => {
                        quoted = !quoted;
                        continue;
                    }
                    b'\\' => match bytes.next() {
                        Some(next) => next,
                        None => break,
                    },
                    byte if is_space(byte) && !quoted => break,
                    byte => byte,
                };
                // Keep one byte for this argument's NUL.
                if used + 1 >= MAX_CMDLINE {
                    self.truncated = true;
                    break;
                }
                self.text[used] = literal;
                used += 1;
            }
            self.text[used] = 0;
            used += 1;
            self.starts[self.count] = start;
            self.count += 1;
            if used >= MAX_CMDLINE {
                self.truncated = true;
                break;
            }
        }
    }

    /// Fills `argv` with pointers into the text (valid as long as `self` lives), then NULL.
    pub fn fill_argv(&mut self, argv: &mut [*mut u8; MAX_ARGS]) {
        let base = self.text.as_mut_ptr();
        for (slot, &start) in argv.iter_mut().zip(&self.starts[..self.count]) {
            // SAFETY: every start is an index into `text`.
            *slot = unsafe { base.add(start) };
        }
        argv[self.count] = core::ptr::null_mut();
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Vec<Vec<u8>> {
        let mut arguments = Arguments::new();
        arguments.split(line.as_bytes());
        (0..arguments.count())
            .map(|index| arguments.get(index).to_vec())
            .collect()
    }

    #[test]
    fn words_quotes_and_escapes() {
        assert_eq!(split(""), vec![b"ukl".to_vec()]);
        assert_eq!(
            split("  a  \"b c\"d \\\"e\\ f\t"),
            vec![
                b"ukl".to_vec(),
                b"a".to_vec(),
                b"b cd".to_vec(),
                b"\"e f".to_vec()
            ]
        );
        assert_eq!(split("\"\""), vec![b"ukl".to_vec(), b"".to_vec()]);
    }
}
