//! `rigshift backup FILE` and `rigshift restore FILE`, and the lock file that tells them (and a
//! second server) that a server is using a database.
//!
//! A backup is SQLite's `VACUUM INTO`: a consistent snapshot taken inside one read transaction,
//! so it is safe while the server writes. A restore replaces the database file only when no
//! server holds it, after checking the backup's integrity. PostgreSQL installations back up
//! with `pg_dump` (docs/OPERATIONS.md).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::Row;

use crate::store::Store;

/// The file behind a `sqlite://FILE[?options]` URL.
pub fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .with_context(|| format!("{url:?} is not a sqlite:// URL"))?;
    let file = rest.split('?').next().unwrap_or(rest);
    if file.is_empty() || file == ":memory:" {
        bail!("{url:?} names no database file");
    }
    Ok(PathBuf::from(file))
}

/// An exclusive lock on `FILE.lock` held for as long as a server (or a restore) uses the
/// database; the OS releases it when the process ends, however it ends.
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
}

impl DatabaseLock {
    /// Takes the lock, or says who holds it.
    pub fn acquire(db: &Path) -> anyhow::Result<Self> {
        let path = lock_path(db);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "{} is in use by a running rigshift server (lock {}); stop it first",
                db.display(),
                path.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("locking {}", path.display()))
            }
        }
    }
}

fn lock_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

/// What a backup holds, printed after a backup or a restore.
#[derive(Debug, PartialEq)]
pub struct Inventory {
    pub bytes: u64,
    pub migrations: i64,
    pub users: i64,
    pub milestones: i64,
    pub annotations: i64,
    pub audit: i64,
}

impl std::fmt::Display for Inventory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes, schema version {}, {} users, {} milestones, {} annotations, {} audit entries",
            self.bytes, self.migrations, self.users, self.milestones, self.annotations, self.audit
        )
    }
}

/// Opens `file` read-only, runs SQLite's integrity check and counts what matters.
pub async fn verify(file: &Path) -> anyhow::Result<Inventory> {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .immutable(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .with_context(|| format!("opening {}", file.display()))?;
    let check: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .with_context(|| format!("{} is not a SQLite database", file.display()))?
        .get(0);
    if check != "ok" {
        bail!("{} fails SQLite's integrity check: {check}", file.display());
    }
    let count = |table: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table}"
            )))
            .fetch_one(&pool)
            .await
            .with_context(|| format!("{} is not a Rigshift database", file.display()))
        }
    };
    let inventory = Inventory {
        bytes: std::fs::metadata(file)?.len(),
        migrations: count("_sqlx_migrations").await?,
        users: count("users").await?,
        milestones: count("milestones").await?,
        annotations: count("annotations").await?,
        audit: count("audit_log").await?,
    };
    pool.close().await;
    Ok(inventory)
}

/// Writes a consistent copy of the database at `database_url` to `to` (which must not exist).
pub async fn backup(database_url: &str, to: &Path) -> anyhow::Result<Inventory> {
    if to.exists() {
        bail!("{} exists already; choose a new file name", to.display());
    }
    let store = Store::connect(database_url)
        .await
        .with_context(|| format!("opening {database_url}"))?;
    let Some(pool) = store.sqlite_pool() else {
        bail!("`rigshift backup` writes SQLite files; back PostgreSQL up with pg_dump (docs/DEPLOYING.md)");
    };
    let target = to
        .to_str()
        .context("the backup path must be valid UTF-8")?
        .to_string();
    sqlx::query("VACUUM INTO ?")
        .bind(&target)
        .execute(pool)
        .await
        .with_context(|| format!("writing {}", to.display()))?;
    pool.close().await;
    File::open(to)?.sync_all()?;
    verify(to).await
}

/// Replaces the database at `database_url` with the backup `from`. Refuses while a server uses
/// it, and refuses to overwrite an existing database without `force`.
pub async fn restore(database_url: &str, from: &Path, force: bool) -> anyhow::Result<Inventory> {
    let inventory = verify(from)
        .await
        .with_context(|| format!("checking the backup {}", from.display()))?;
    let db = sqlite_path(database_url)?;
    let _lock = DatabaseLock::acquire(&db)?;
    if db.exists() && !force {
        bail!(
            "{} exists; pass --force to replace it with {} (its current content is lost)",
            db.display(),
            from.display()
        );
    }
    let tmp = {
        let mut p = db.as_os_str().to_owned();
        p.push(".restoring");
        PathBuf::from(p)
    };
    std::fs::copy(from, &tmp).with_context(|| format!("copying to {}", tmp.display()))?;
    File::open(&tmp)?.sync_all()?;
    // The old database's WAL belongs to the old file: left behind, SQLite would replay it
    // into the restored one.
    for suffix in ["-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(PathBuf::from(p)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).context("removing the old write-ahead log"),
        }
    }
    std::fs::rename(&tmp, &db).with_context(|| format!("replacing {}", db.display()))?;
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    Ok(inventory)
}
