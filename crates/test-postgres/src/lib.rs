//! A real PostgreSQL server for tests, started by the tests themselves: `initdb` and `pg_ctl`
//! from the installed server package, a cluster in a temp dir, listening on 127.0.0.1 on a
//! free port with trust auth and its unix socket in the temp dir. No running service needed.
//!
//! [`shared`] gives one cluster per test binary; each test takes a fresh database from it
//! ([`TestCluster::database`]). A test that stops the server (an outage) starts its own with
//! [`TestCluster::start`]. A cluster is stopped when dropped, and a watchdog process stops it
//! when the test process is gone however it ended (a panic, a kill, or the end of the
//! binary, which never drops statics).
//!
//! `initdb` refuses to run as root, and CI runs as root: then the cluster's folder is given to
//! the `postgres` user (which the server package creates) and the server runs as that user.
//!
//! Where no server is installed, [`shared`] and [`TestCluster::start`] print a loud
//! `SKIPPED: PostgreSQL not installed` and return `None`, unless `BRIEFBOT_REQUIRE_POSTGRES=1`,
//! which makes that a failure.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// Set to 1 (as CI does) to fail rather than skip when no server is installed.
pub const REQUIRE_VAR: &str = "BRIEFBOT_REQUIRE_POSTGRES";

pub struct TestCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The cluster this test binary shares, started on first use; `None` when skipped.
pub fn shared() -> Option<&'static TestCluster> {
    static SHARED: OnceLock<Option<TestCluster>> = OnceLock::new();
    SHARED.get_or_init(TestCluster::start).as_ref()
}

impl TestCluster {
    /// Initializes and starts a cluster of its own; `None` (after saying so) when no server
    /// is installed and the skip is allowed. Any other failure panics with the server's log.
    pub fn start() -> Option<TestCluster> {
        let Some(bin) = find_bin() else {
            if std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "1") {
                panic!("PostgreSQL not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin) and {REQUIRE_VAR}=1");
            }
            eprintln!("\n*** SKIPPED: PostgreSQL not installed (no initdb found); set {REQUIRE_VAR}=1 to fail instead ***\n");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("briefbot-pg-")
            .tempdir()
            .expect("a temp dir");
        let as_postgres = is_root();
        if as_postgres {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path()));
        }
        let cluster = TestCluster {
            dir,
            bin,
            port: free_port(),
            as_postgres,
        };
        let data = cluster.data();
        cluster.pg(
            "initdb",
            &[
                "-D",
                path_str(&data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        cluster.start_server();
        cluster.watchdog();
        Some(cluster)
    }

    /// The server's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A URL for database `db` on this cluster.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// A new, empty database, and its URL.
    pub async fn database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let (client, connection) =
            tokio_postgres::connect(&self.url("postgres"), tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("cannot reach the test cluster: {e}\n{}", self.log()));
        let driver = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("CREATE DATABASE");
        drop(client);
        let _ = driver.await;
        self.url(&name)
    }

    /// Stops the server at once, as a crash or a lost host would (no shutdown checkpoint).
    pub fn stop(&self) {
        self.pg(
            "pg_ctl",
            &[
                "-D",
                path_str(&self.data()),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// Starts the server again after [`TestCluster::stop`], on the same port and data.
    pub fn restart(&self) {
        self.start_server();
    }

    /// The server's log so far, for a failing test's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
             -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        self.pg(
            "pg_ctl",
            &[
                "-D",
                path_str(&self.data()),
                "-l",
                path_str(&log),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    /// Runs one of the server's programs, as `postgres` when we are root.
    fn pg(&self, program: &str, args: &[&str]) {
        let exe = self.bin.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir(self.dir.path());
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
        if !out.status.success() {
            panic!(
                "{program} failed: {}\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                self.log()
            );
        }
    }

    /// A detached shell that stops the server once this process is gone.
    fn watchdog(&self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = format!(
            "{} -D {} -m immediate stop",
            pg_ctl.display(),
            self.data().display()
        );
        let stop = if self.as_postgres {
            format!("runuser -u postgres -- {stop}")
        } else {
            stop
        };
        let script = format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {}",
            std::process::id(),
            self.dir.path().display()
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", path_str(&data), "-m", "immediate", "stop"];
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&pg_ctl);
            c
        } else {
            Command::new(&pg_ctl)
        };
        let _ = cmd
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// `initdb`'s folder: on PATH, else the newest `/usr/lib/postgresql/*/bin` (Debian's layout).
fn find_bin() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|p| p.join("initdb").is_file() && p.join("pg_ctl").is_file())
    });
    on_path.or_else(|| {
        let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .filter_map(|e| {
                let version = e.file_name().to_str()?.parse().ok()?;
                let bin = e.path().join("bin");
                bin.join("initdb").is_file().then_some((version, bin))
            })
            .collect();
        found.sort();
        found.pop().map(|(_, bin)| bin)
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("a bound address").port()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

fn run(cmd: &mut Command) {
    let status = cmd.status().expect("the command runs");
    assert!(status.success(), "{cmd:?} failed");
}
