//! Splitting the command line into `argv`.
//!
//! Arguments are separated by spaces, tabs or newlines. Double quotes group text that contains
//! them (the quotes themselves are dropped, `"a b"c` is one argument `a bc`), and a backslash
//! takes the next character literally (`\"`, `\\`, `\ `). `argv[0]` is the image name.
//! Leading words of the form `env.NAME=VALUE` are not arguments but the environment
//! (`NAME=VALUE`, what C's `environ` lists): `ukl run --env NAME=VALUE` puts them there.
//! Storage is static (no allocator runs yet): a command line longer than [`MAX_CMDLINE`] bytes
//! or with more than [`MAX_ARGS`] arguments is cut, with a warning on the console.

/// Bytes of argument text kept (including the NULs that end the arguments).
pub const MAX_CMDLINE: usize = 4096;
/// Arguments kept, `argv[0]` included.
pub const MAX_ARGS: usize = 128;
/// `argv[0]`.
pub const IMAGE_NAME: &[u8] = b"ukl\0";
/// What marks an environment entry among the words.
pub const ENV_PREFIX: &[u8] = b"env.";

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

    /// The words, `argv[0]` and environment entries included.
    #[cfg(test)]
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

    /// Whether word `index` is an environment entry: `env.` then `NAME=...` with a non-empty
    /// name.
    fn is_environment(&self, index: usize) -> bool {
        let word = &self.text[self.starts[index]..];
        let word = &word[..word.iter().position(|&b| b == 0).unwrap_or(word.len())];
        word.strip_prefix(ENV_PREFIX)
            .and_then(|entry| entry.iter().position(|&b| b == b'='))
            .is_some_and(|equals| equals > 0)
    }

    /// How many words after `argv[0]` are environment entries (they come first).
    pub fn environment_count(&self) -> usize {
        (1..self.count)
            .take_while(|&index| self.is_environment(index))
            .count()
    }

    /// Fills `argv` with `argv[0]` and the arguments after the environment entries, then NULL,
    /// and `environ` with the entries (without their `env.`), then NULL: pointers into the
    /// text, valid as long as `self` lives. Returns `argc`.
    pub fn fill(
        &mut self,
        argv: &mut [*mut u8; MAX_ARGS],
        environ: &mut [*mut u8; MAX_ARGS],
    ) -> usize {
        let entries = self.environment_count();
        let base = self.text.as_mut_ptr();
        // SAFETY: every start is an index into `text`.
        let word = |start: usize| unsafe { base.add(start) };
        let mut argc = 0;
        for (index, &start) in self.starts[..self.count].iter().enumerate() {
            if index == 0 || index > entries {
                argv[argc] = word(start);
                argc += 1;
            } else {
                environ[index - 1] = word(start + ENV_PREFIX.len());
            }
        }
        argv[argc] = core::ptr::null_mut();
        environ[entries] = core::ptr::null_mut();
        argc
    }

    /// `argv` without the environment entries, for tests.
    #[cfg(test)]
    pub fn arguments(&self) -> Vec<Vec<u8>> {
        let entries = self.environment_count();
        (0..self.count)
            .filter(|&index| index == 0 || index > entries)
            .map(|index| self.get(index).to_vec())
            .collect()
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

    #[test]
    fn leading_env_words_are_the_environment() {
        let mut arguments = Arguments::new();
        arguments.split(b"env.TZ=UTC \"env.GREETING=hello world\" a env.X=1 env.=no");
        assert_eq!(arguments.environment_count(), 2);
        assert_eq!(
            arguments.arguments(),
            vec![
                b"ukl".to_vec(),
                b"a".to_vec(),
                b"env.X=1".to_vec(),
                b"env.=no".to_vec()
            ]
        );
        let mut argv = [core::ptr::null_mut(); MAX_ARGS];
        let mut environ = [core::ptr::null_mut(); MAX_ARGS];
        assert_eq!(arguments.fill(&mut argv, &mut environ), 4);
        // SAFETY: the pointers point at NUL-terminated words of `arguments`.
        let text = |p: *mut u8| {
            unsafe { std::ffi::CStr::from_ptr(p.cast()) }
                .to_bytes()
                .to_vec()
        };
        assert_eq!(text(environ[0]), b"TZ=UTC");
        assert_eq!(text(environ[1]), b"GREETING=hello world");
        assert!(environ[2].is_null());
        assert_eq!(text(argv[1]), b"a");
        assert!(argv[4].is_null());
        // A word without a name is an argument, and so is everything after it.
        let mut arguments = Arguments::new();
        arguments.split(b"env.=x env.A=1");
        assert_eq!(arguments.environment_count(), 0);
    }
}
