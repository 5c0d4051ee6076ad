//! Writing what a link produces without losing anything the user had.
//!
//! - [`refuse_inputs_as_outputs`]: an output (image, map, companion) that is one of the link's
//!   inputs — by another path or a hard link too, since files are compared by device and inode
//!   — is refused before anything is written, as GNU ld refuses it.
//! - [`write_atomically`]: a file is written to a temporary created exclusively (`O_EXCL`, so
//!   never through a symlink planted there) in the target's directory, synced, and renamed over
//!   the target. The rename replaces the directory entry: a symlink at the target path is
//!   replaced by the new file, never written through. On any failure the temporary is removed
//!   and the previous target is untouched. A device or FIFO at the target (`-o /dev/null`) is
//!   written in place instead: renaming over it would replace the device node.

use crate::error::Result;
use crate::link_error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Permissions asked for an image (`rwxrwxrwx` less the umask, as GNU ld does): a linuxu image
/// is a Linux program, and any image may be run by a script.
pub const EXECUTABLE: u32 = 0o777;
/// Permissions asked for a map or a configuration file (less the umask).
pub const REGULAR: u32 = 0o666;

/// The identity of an existing file: (device, inode), after following symlinks.
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.dev(), metadata.ino()))
}

/// Fails if any of `outputs` is the same file as any of `inputs`. Outputs that do not exist yet
/// cannot be inputs. Inputs that cannot be read are left to the phase that reads them.
pub fn refuse_inputs_as_outputs(outputs: &[PathBuf], inputs: &[PathBuf]) -> Result<()> {
    let outputs: Vec<(&PathBuf, (u64, u64))> = outputs
        .iter()
        .filter_map(|o| identity(o).map(|id| (o, id)))
        .collect();
    if outputs.is_empty() {
        return Ok(());
    }
    for input in inputs {
        let Some(input_id) = identity(input) else {
            continue;
        };
        if let Some((output, _)) = outputs.iter().find(|(_, id)| *id == input_id) {
            let same_path = *output == input;
            let mut error = link_error!(
                "output file '{}' is also an input ({}); choose another -o",
                output.display(),
                input.display()
            );
            if !same_path {
                error = error.note("they are the same file (the same device and inode)");
            }
            return Err(error.help(
                "writing the output would destroy the input: name an output file that is not \
                 read by the link",
            ));
        }
    }
    Ok(())
}

/// Writes `bytes` to `path` through an exclusively created temporary in the same directory,
/// synced before it is renamed over `path`; `mode` is applied less the umask.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let fail =
        |e: std::io::Error| link_error!("cannot write output file `{}`: {e}", path.display());
    if path.file_name().is_none() {
        return Err(link_error!(
            "cannot write output file `{}`: it names a directory, not a file",
            path.display()
        )
        .help("give a file name"));
    }
    if path.is_dir() {
        return Err(link_error!(
            "cannot write output file `{}`: it is a directory",
            path.display()
        )
        .help("give a file name"));
    }
    // A device or a FIFO (`-o /dev/null`, as build systems pass when they only test a link) is
    // written in place: renaming over it would replace the device node with a regular file.
    if let Ok(metadata) = std::fs::symlink_metadata(path) {
        use std::os::unix::fs::FileTypeExt;
        let kind = metadata.file_type();
        if kind.is_char_device() || kind.is_block_device() || kind.is_fifo() {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(fail)?;
            return file.write_all(bytes).map_err(fail);
        }
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Created with O_CREAT|O_EXCL under a random name: an existing file or symlink of that name
    // makes it pick another, never open it. Dropped (removed) on every early return below.
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".ukl-tmp")
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)
        .map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    // The rename itself reaches the disk with the directory.
    if let Ok(directory) = std::fs::File::open(dir) {
        let _ = directory.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_hard_link_to_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("main.o");
        std::fs::write(&input, b"object").unwrap();
        let link = dir.path().join("other-name");
        std::fs::hard_link(&input, &link).unwrap();
        let error =
            refuse_inputs_as_outputs(std::slice::from_ref(&link), std::slice::from_ref(&input))
                .unwrap_err()
                .to_string();
        assert!(error.contains("is also an input"), "{error}");
        let fresh = dir.path().join("fresh");
        refuse_inputs_as_outputs(&[fresh], &[input]).unwrap();
    }

    #[test]
    fn a_symlink_at_the_target_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let target = dir.path().join("image");
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        write_atomically(&target, b"image", EXECUTABLE).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!std::fs::symlink_metadata(&target)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"image");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_ne!(mode & 0o100, 0, "the image is executable: {mode:o}");
        // Nothing but the two files is left.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_fifo_is_written_in_place() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        write_atomically(&fifo, b"image", EXECUTABLE).unwrap();
        // (Checked before the reader is joined: a FIFO replaced by a file would leave it waiting.)
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "the FIFO is still a FIFO");
        assert_eq!(reader.join().unwrap(), b"image");
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_and_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub");
        std::fs::create_dir(&target).unwrap();
        assert!(write_atomically(&target, b"x", REGULAR).is_err());
        let missing = dir.path().join("no-such-dir").join("image");
        assert!(write_atomically(&missing, b"x", REGULAR).is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
