//! Running the tools the build is made of, each step named and timed.

use std::process::{Child, Command, ExitStatus};
use std::time::Instant;

/// The seconds each step took, printed at the end: the figures docs/BUILDING.md quotes.
#[derive(Default)]
pub struct Steps {
    done: Vec<(String, f64)>,
}

impl Steps {
    pub fn time<T>(
        &mut self,
        name: &str,
        work: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        eprintln!("\x1b[1;34m[xtask]\x1b[0m {name}");
        let start = Instant::now();
        let out = work().map_err(|e| format!("{name}: {e}"))?;
        self.done
            .push((name.to_string(), start.elapsed().as_secs_f64()));
        Ok(out)
    }

    pub fn record(&mut self, name: &str, seconds: f64) {
        self.done.push((name.to_string(), seconds));
    }

    pub fn report(&self, total: f64) {
        eprintln!("\n[xtask] time per step:");
        for (name, s) in &self.done {
            eprintln!("{s:8.1} s  {name}");
        }
        eprintln!("{total:8.1} s  in all");
    }
}

fn describe(cmd: &Command) -> String {
    let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy()).collect();
    format!("{} {}", cmd.get_program().to_string_lossy(), args.join(" "))
}

fn check(cmd: &Command, status: std::io::Result<ExitStatus>) -> Result<(), String> {
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("`{}` failed ({s})", describe(cmd))),
        Err(e) => Err(format!("could not start `{}`: {e}", describe(cmd))),
    }
}

/// Runs `cmd` to its end; its output goes to ours.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status();
    check(cmd, status)
}

/// A command started in the background, waited for later.
pub struct Background {
    cmd: Command,
    child: Child,
    started: Instant,
}

impl Background {
    pub fn start(mut cmd: Command) -> Result<Self, String> {
        let child = cmd
            .spawn()
            .map_err(|e| format!("could not start `{}`: {e}", describe(&cmd)))?;
        Ok(Background {
            cmd,
            child,
            started: Instant::now(),
        })
    }

    /// The same with its error output held back, and shown only if it fails (wasm-opt warns
    /// of every name subsection it does not know, hundreds of lines for the split chunks).
    pub fn start_quiet(mut cmd: Command) -> Result<Self, String> {
        cmd.stderr(std::process::Stdio::piped());
        Self::start(cmd)
    }

    /// Waits for the command; returns its seconds from start to end.
    pub fn wait(self) -> Result<f64, String> {
        let Background {
            cmd,
            child,
            started,
        } = self;
        let output = child.wait_with_output();
        if let Ok(out) = &output {
            if !out.status.success() {
                eprint!("{}", String::from_utf8_lossy(&out.stderr));
            }
        }
        check(&cmd, output.map(|o| o.status))?;
        Ok(started.elapsed().as_secs_f64())
    }
}

/// A program from the project's npm packages (`node_modules/.bin`), else from PATH.
pub fn npm_bin(name: &str) -> Command {
    let local = std::path::Path::new("node_modules/.bin").join(name);
    if local.is_file() {
        Command::new(local)
    } else {
        Command::new(name)
    }
}

/// Runs `work` on every item, largest first, on as many threads as the machine has cores: one
/// slow item does not hold back a batch, as fixed batches would.
pub fn on_every_core<T: Sync>(
    mut items: Vec<T>,
    size: impl Fn(&T) -> u64,
    work: impl Fn(&T) -> Result<(), String> + Sync,
) -> Result<(), String> {
    items.sort_by_key(|i| std::cmp::Reverse(size(i)));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else {
                        return Ok(());
                    };
                    work(item)?;
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().expect("a build thread panicked"))
    })
}

/// A file's size, for `on_every_core`'s order.
pub fn file_size(path: &std::path::PathBuf) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}
