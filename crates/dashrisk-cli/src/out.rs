//! Writing output files without losing anything: an output file is never one of
//! the inputs (the same file by device and inode, checked before anything is opened
//! for writing), and it is written to a temporary file beside the target and
//! renamed into place only when the command has finished. A run that fails or is
//! killed leaves the target as it was, never a partial file that looks complete.

use crate::Fatal;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Where a command writes: standard output, or a file committed at the end.
pub(crate) enum Output {
    /// Standard output.
    Stdout(BufWriter<io::StdoutLock<'static>>),
    /// A file that is not a regular file (`/dev/null`, a named pipe, a
    /// terminal), written in place: there is no file to replace, and renaming a
    /// temporary file over it would put a plain file where the device was.
    Device(BufWriter<fs::File>),
    /// A temporary file beside `target`.
    File {
        /// The temporary file's writer (taken on commit).
        w: Option<BufWriter<fs::File>>,
        /// The temporary file.
        tmp: PathBuf,
        /// The file it becomes.
        target: PathBuf,
    },
}

/// Whether two paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (fs::metadata(a), fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
        false
    }
    #[cfg(not(unix))]
    {
        match (fs::canonicalize(a), fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }
}

/// Whether two output paths name one file, however spelt (`out.json`,
/// `./out.json`, a link), whether or not it exists yet: the same existing file, or
/// the same name in the same (canonical) folder.
pub(crate) fn same_target(a: &Path, b: &Path) -> bool {
    if same_file(a, b) {
        return true;
    }
    let place = |p: &Path| {
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Some((fs::canonicalize(dir).ok()?, p.file_name()?.to_os_string()))
    };
    match (place(a), place(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Whether standard input is the existing file `target` (redirected from it:
/// `dashrisk assess - -o in.csv < in.csv`).
#[cfg(unix)]
fn stdin_is(target: &Path) -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(fd) = io::stdin().as_fd().try_clone_to_owned() else {
        return false;
    };
    match (fs::File::from(fd).metadata(), fs::metadata(target)) {
        (Ok(x), Ok(y)) => x.is_file() && x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn stdin_is(_target: &Path) -> bool {
    false
}

impl Output {
    /// Opens the output: `None` is standard output. A file that is one of
    /// `inputs` is refused before anything is written; an input `-` is standard
    /// input, and the file it is redirected from is refused too.
    pub(crate) fn create(out: &Option<PathBuf>, inputs: &[&Path]) -> Result<Output, Fatal> {
        let Some(target) = out else {
            return Ok(Output::Stdout(BufWriter::new(io::stdout().lock())));
        };
        for input in inputs {
            if input.as_os_str() == "-" && stdin_is(target) {
                return Err(Fatal(format!(
                    "{}: this is the file standard input is read from; refusing to overwrite it (write the output to another file)",
                    target.display()
                )));
            }
            if same_file(target, input) {
                return Err(Fatal(format!(
                    "{}: this is the input file {}; refusing to overwrite it (write the output to another file)",
                    target.display(),
                    input.display()
                )));
            }
        }
        // A symbolic link is followed, so the file it names is written and the
        // link stays a link.
        let target = match fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => {
                fs::canonicalize(target).unwrap_or_else(|_| target.clone())
            }
            _ => target.clone(),
        };
        match fs::metadata(&target) {
            Ok(m) if m.is_dir() => {
                return Err(Fatal(format!(
                    "{}: is a directory; name a file to write",
                    target.display()
                )))
            }
            Ok(m) if !m.is_file() => {
                let file = fs::OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .map_err(|e| Fatal(format!("{}: {e}", target.display())))?;
                return Ok(Output::Device(BufWriter::new(file)));
            }
            _ => {}
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        // One name per output of this process, created only if new: two outputs
        // never share (or truncate) one temporary file.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.dashrisk-{}-{n}.tmp", std::process::id()));
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| Fatal(format!("{}: {e}", tmp.display())))?;
        // Replacing a file keeps its permissions (a results file kept 0600 stays
        // 0600): the temporary file takes them before anything is written to it.
        if let Ok(old) = fs::metadata(&target) {
            if old.is_file() {
                if let Err(e) = file.set_permissions(old.permissions()) {
                    drop(file);
                    let _ = fs::remove_file(&tmp);
                    return Err(Fatal(format!("{}: {e}", tmp.display())));
                }
            }
        }
        Ok(Output::File {
            w: Some(BufWriter::new(file)),
            tmp,
            target,
        })
    }

    /// Finishes the output: flushes it and, for a file, syncs it and renames it
    /// into place.
    pub(crate) fn commit(mut self) -> Result<(), Fatal> {
        match &mut self {
            Output::Stdout(w) => w.flush().map_err(Fatal::from),
            Output::Device(w) => w.flush().map_err(Fatal::from),
            Output::File { w, tmp, target } => {
                let w = w.take().expect("committed once");
                let file = w
                    .into_inner()
                    .map_err(|e| Fatal(format!("{}: {}", tmp.display(), e.error())))?;
                file.sync_all()
                    .map_err(|e| Fatal(format!("{}: {e}", tmp.display())))?;
                fs::rename(&*tmp, &*target)
                    .map_err(|e| Fatal(format!("{}: {e}", target.display())))?;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::Device(w) => w.write(buf),
            Output::File { w, .. } => w.as_mut().map_or(Ok(0), |w| w.write(buf)),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::Device(w) => w.flush(),
            Output::File { w, .. } => w.as_mut().map_or(Ok(()), |w| w.flush()),
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        // Not committed: the run failed. Leave the target as it was.
        if let Output::File {
            w: Some(_), tmp, ..
        } = self
        {
            let _ = fs::remove_file(&*tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder for one test, removed with everything in it when the test
    /// ends (pass or fail), so that test runs leave nothing in the temporary folder.
    struct TestDir(PathBuf);

    impl std::ops::Deref for TestDir {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl AsRef<Path> for TestDir {
        fn as_ref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TestDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn dir(tag: &str) -> TestDir {
        let d = std::env::temp_dir().join(format!("dashrisk-out-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        TestDir(d)
    }

    /// `/dev/null` (and any file that is not a regular file) is written in place:
    /// a temporary file renamed over it would replace the device with a plain
    /// file, for every program on the machine (it did, when a test wrote there as
    /// root).
    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place_never_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let out = Output::create(&Some(PathBuf::from("/dev/null")), &[]).unwrap();
        // Checked before anything is committed: were it a temporary file, the
        // drop below would only remove it.
        assert!(matches!(out, Output::Device(_)), "/dev/null is a device");
        let mut out = out;
        out.write_all(b"discarded\n").unwrap();
        out.commit().unwrap();
        assert!(fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        let strays = fs::read_dir("/dev")
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".dashrisk-"))
            .count();
        assert_eq!(strays, 0, "no temporary file beside the device");
    }

    /// A named pipe is written in place; a directory is refused; a symbolic link
    /// to a file keeps being a link, to the new contents.
    #[cfg(unix)]
    #[test]
    fn pipes_directories_and_links() {
        let d = dir("special");
        let fifo = d.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || fs::read(fifo).unwrap())
            };
            let mut out = Output::create(&Some(fifo.clone()), &[]).unwrap();
            assert!(matches!(out, Output::Device(_)));
            out.write_all(b"through the pipe").unwrap();
            out.commit().unwrap();
            assert_eq!(reader.join().unwrap(), b"through the pipe");
            assert!(!fs::metadata(&fifo).unwrap().is_file());
        }
        assert!(Output::create(&Some(d.0.clone()), &[]).is_err());
        let real = d.join("real.csv");
        fs::write(&real, "old").unwrap();
        let link = d.join("link.csv");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut out = Output::create(&Some(link.clone()), &[]).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn a_run_that_fails_midway_leaves_the_target_as_it_was() {
        let d = dir("fail");
        let target = d.join("results.csv");
        fs::write(&target, "yesterday's results\n").unwrap();
        {
            let mut out = Output::create(&Some(target.clone()), &[]).unwrap();
            out.write_all(b"id,classification\n1,unclear\n").unwrap();
            // The writer fails here: the command returns an error and `out` is
            // dropped without commit.
        }
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            "yesterday's results\n"
        );
        assert_eq!(
            fs::read_dir(&d).unwrap().count(),
            1,
            "no temporary file left"
        );
        let mut out = Output::create(&Some(target.clone()), &[]).unwrap();
        out.write_all(b"new\n").unwrap();
        out.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
        assert_eq!(fs::read_dir(&d).unwrap().count(), 1);
    }

    #[test]
    fn the_input_is_never_the_output() {
        let d = dir("same");
        let input = d.join("export.csv");
        fs::write(&input, "the force's export\n").unwrap();
        // The same file by another name (a hard link) is refused too.
        let alias = d.join("alias.csv");
        fs::hard_link(&input, &alias).unwrap();
        for target in [&input, &alias] {
            let err = Output::create(&Some(target.clone()), &[&input])
                .err()
                .unwrap();
            assert!(err.0.contains("refusing to overwrite"), "{}", err.0);
        }
        assert_eq!(fs::read_to_string(&input).unwrap(), "the force's export\n");
    }

    /// Replacing a file keeps its permissions: a results file an analyst made
    /// private (0600) does not become readable by everyone (0644) when rewritten.
    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("mode");
        let target = d.join("private.csv");
        for mode in [0o600, 0o640, 0o604] {
            fs::write(&target, "old\n").unwrap();
            fs::set_permissions(&target, fs::Permissions::from_mode(mode)).unwrap();
            let mut out = Output::create(&Some(target.clone()), &[]).unwrap();
            out.write_all(b"new\n").unwrap();
            out.commit().unwrap();
            assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
            let got = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
            assert_eq!(got, mode, "{got:o} after replacing a {mode:o} file");
        }
    }
}
