//! All-or-nothing output: files are written to temporary names in the
//! output directory and renamed into place only when every one is complete.
//! A failed or interrupted run leaves no half-written file under a real name.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A set of files being written into one directory.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    pending: Vec<(PathBuf, PathBuf)>,
}

impl Staging {
    /// Creates the directory if needed.
    pub fn new(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            pending: Vec::new(),
        })
    }

    /// The output directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn temp_for(&self, name: &str) -> (PathBuf, PathBuf) {
        let tmp = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        (tmp, self.dir.join(name))
    }

    /// Stages a file with the given bytes.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let (tmp, fin) = self.temp_for(name);
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        self.pending.push((tmp, fin));
        Ok(())
    }

    /// Opens a staged file for streaming writes; call [`Self::finish_stream`]
    /// with the writer when done.
    pub fn stream(&mut self, name: &str) -> io::Result<StagedWriter> {
        let (tmp, fin) = self.temp_for(name);
        let f = File::create(&tmp)?;
        Ok(StagedWriter {
            inner: BufWriter::with_capacity(1 << 20, f),
            tmp,
            fin,
        })
    }

    /// Completes a streamed file.
    pub fn finish_stream(&mut self, w: StagedWriter) -> io::Result<()> {
        let f = w.inner.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        self.pending.push((w.tmp, w.fin));
        Ok(())
    }

    /// Renames every staged file into place.
    pub fn commit(mut self) -> io::Result<Vec<PathBuf>> {
        let mut done = Vec::new();
        for (tmp, fin) in std::mem::take(&mut self.pending) {
            fs::rename(&tmp, &fin)?;
            done.push(fin);
        }
        Ok(done)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for (tmp, _) in &self.pending {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// A file being streamed under a temporary name.
#[derive(Debug)]
pub struct StagedWriter {
    inner: BufWriter<File>,
    tmp: PathBuf,
    fin: PathBuf,
}

impl StagedWriter {
    /// Removes the temporary file (on error paths).
    pub fn abandon(self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

impl Write for StagedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
