//! A database file in a temporary directory of its own, removed with everything beside it.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// A path for a database file, `<label>.db`, in a fresh temporary directory; the directory (the file,
/// its `-wal` and `-shm` with it) is removed on drop.
pub struct TempDb {
    path: PathBuf,
    _dir: TempDir,
}

impl TempDb {
    /// A fresh directory; `label` names it and the file, so a leftover says which test left it.
    pub fn new(label: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&format!("scim-token-{label}-"))
            .tempdir()
            .expect("the system's temp directory is writable");
        Self { path: dir.path().join(format!("{label}.db")), _dir: dir }
    }

    /// The database file's path (the file itself is not created).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database file and the files SQLite keeps beside it.
    pub fn files(&self) -> [PathBuf; 3] {
        let with = |suffix: &str| {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            PathBuf::from(name)
        };
        [self.path.clone(), with("-wal"), with("-shm")]
    }
}
