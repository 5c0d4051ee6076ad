//! Link errors that read like rustc's diagnostics: the problem, notes that explain it, and a
//! `help:` line that says what to do.

use std::fmt;

/// An error from any phase of a link. Every error names the file, symbol, section or option it is
/// about; `notes` explain, `help` says what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError {
    pub message: String,
    pub notes: Vec<String>,
    pub help: Option<String>,
    /// Further errors reported together with this one (see [`LinkError::combine`]).
    pub more: Vec<LinkError>,
}

pub type Result<T, E = LinkError> = std::result::Result<T, E>;

impl LinkError {
    pub fn new(message: impl Into<String>) -> Self {
        LinkError {
            message: message.into(),
            notes: Vec::new(),
            help: None,
            more: Vec::new(),
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Several errors reported at once (e.g. every undefined symbol of a link): the first one
    /// carries the others in `more`, each with its own notes and help.
    pub fn combine(errors: Vec<LinkError>) -> LinkError {
        let mut all: Vec<LinkError> = errors.into_iter().flat_map(LinkError::flatten).collect();
        if all.is_empty() {
            return LinkError::new("internal error: no error to report");
        }
        let mut first = all.remove(0);
        first.more = all;
        first
    }

    /// This error and the ones reported with it, each without `more`.
    pub fn flatten(mut self) -> Vec<LinkError> {
        let more = std::mem::take(&mut self.more);
        let mut all = vec![self];
        all.extend(more.into_iter().flat_map(LinkError::flatten));
        all
    }

    /// How many errors this reports (itself and `more`).
    pub fn count(&self) -> usize {
        1 + self.more.iter().map(LinkError::count).sum::<usize>()
    }

    /// Puts `prefix: ` before this message and every message in `more` (e.g. the platform of
    /// a link of several platforms).
    pub fn prefixed(mut self, prefix: &str) -> LinkError {
        self.message = format!("{prefix}: {}", self.message);
        self.more = self.more.into_iter().map(|e| e.prefixed(prefix)).collect();
        self
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        for note in &self.notes {
            write!(f, "\n  = note: {note}")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        for other in &self.more {
            write!(f, "\nerror: {other}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LinkError {}

/// Shorthand for building an error with `format!` arguments.
#[macro_export]
macro_rules! link_error {
    ($($arg:tt)*) => { $crate::error::LinkError::new(format!($($arg)*)) };
}
