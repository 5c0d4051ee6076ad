//! The private directory of one `ukl run`: what the run makes for itself (an image linked from
//! objects, a packed initrd, the QMP socket) goes here and nowhere else. The directory is made
//! by `mkdir` under a fresh random name in `$TMPDIR` (never an existing one, so nobody can
//! plant it or a symbolic link in its place beforehand), with mode 0700 (nobody else can look
//! in or add to it), and it is removed with all it holds when the run ends — after an error or
//! an interrupting signal too, since both unwind through its owner. Files in it are created
//! exclusively (`O_CREAT|O_EXCL|O_NOFOLLOW`), mode 0600.

use crate::error::Result;
use crate::link_error;
use std::fs::File;
use std::path::{Path, PathBuf};

/// A run's directory; removed on drop.
#[derive(Debug)]
pub struct RunDir {
    dir: tempfile::TempDir,
}

/// The longest path a Unix socket can have (`sun_path` holds 108 bytes with the final NUL).
const SOCKET_PATH_MAX: usize = 107;

impl RunDir {
    /// Creates a new private directory in the system's temporary directory.
    pub fn create() -> Result<RunDir> {
        Self::create_in(&std::env::temp_dir())
    }

    /// Creates a new private directory in `parent`.
    pub fn create_in(parent: &Path) -> Result<RunDir> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new()
            .prefix("ukl-run-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir_in(parent)
            .map_err(|e| {
                link_error!(
                    "cannot create a private directory for the run in {}: {e}",
                    parent.display()
                )
                .help("set TMPDIR to a writable directory")
            })?;
        Ok(RunDir { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Creates `name` in the directory for writing: a new file (never an existing one, never
    /// through a symbolic link), readable and writable by its owner only.
    pub fn create_file(&self, name: &str) -> Result<(File, PathBuf)> {
        let path = self.dir.path().join(name);
        let file = create_private(&path)
            .map_err(|e| link_error!("cannot create `{}`: {e}", path.display()))?;
        Ok((file, path))
    }

    /// A path for a Unix socket in the directory, if it is short enough for one.
    pub fn socket_path(&self, name: &str) -> Option<PathBuf> {
        let path = self.dir.path().join(name);
        (path.as_os_str().len() <= SOCKET_PATH_MAX).then_some(path)
    }
}

/// Opens `path` as a new file, mode 0600: fails if anything (a file, a symbolic link, a
/// fifo) is already there.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn each_run_has_a_fresh_private_directory_removed_at_the_end() {
        let first = RunDir::create().unwrap();
        let second = RunDir::create().unwrap();
        assert_ne!(first.path(), second.path());
        let mode = std::fs::metadata(first.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "{mode:o}");
        let (_, file) = first.create_file("image").unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        let path = first.path().to_path_buf();
        drop(first);
        assert!(!path.exists(), "{} is left", path.display());
    }

    #[test]
    fn a_file_is_never_created_over_or_through_what_is_there() {
        let dir = RunDir::create().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("link")).unwrap();
        assert!(dir.create_file("link").is_err());
        assert!(dir.create_file("victim").is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    }
}
