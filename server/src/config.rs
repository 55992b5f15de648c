//! Command line and environment: every flag has a `RIGSHIFT_*` variable; defaults need nothing
//! installed (SQLite file, simulator on, site built by the README's command).

use std::net::SocketAddr;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};

use app::api::auth::Role;

/// Rigshift: revenue, fleet and conversion dashboard for bitcoin miners moving to AI hosting.
#[derive(Debug, Parser)]
#[command(name = "rigshift", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `rigshift` with no sub-command serves, with these flags.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the dashboard (the default).
    Serve(ServeArgs),
    /// Browser logins.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for scripts and integrations (`Authorization: Bearer <token>`).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Run only the fleet simulator (devices on loopback) and write a fleet file for `serve`.
    Simulate(crate::simulator::standalone::SimulateArgs),
    /// Write a consistent copy of the database to FILE, safe while the server runs.
    Backup {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Database maintenance across engines.
    #[command(subcommand)]
    Db(DbCommand),
    /// Power markets: interval prices, site power terms, coincident peaks.
    #[command(subcommand)]
    Power(PowerCommand),
    /// Hashprice forward curves: import `as_of,month,usd_per_ph_day` (a bad line refuses the
    /// whole file, its line named, nothing stored).
    #[command(subcommand)]
    Forwards(ImportCommand),
    /// The GPU rental index: import `date,gpu_model,usd_per_gpu_hour` (a bad line refuses the
    /// whole file, its line named, nothing stored).
    #[command(name = "gpu-index", subcommand)]
    GpuIndex(ImportCommand),
    /// The company's portfolio as one document: sites, fleet lines, power terms, lease
    /// contracts and milestones (TOML, or JSON).
    #[command(subcommand)]
    Portfolio(PortfolioCommand),
    /// History from before Rigshift: monthly actuals per site (`site,month,btc_produced,
    /// mining_revenue_usd,power_cost_usd,energy_mwh,ai_revenue_usd,hashrate_ths_avg`; any
    /// figure may be blank), shown as source `reported`. A bad line refuses the whole file.
    #[command(subcommand)]
    History(ImportCommand),
    /// Replace the database with the backup FILE (the server must be stopped).
    Restore {
        file: PathBuf,
        /// Replace an existing database (its current content is lost).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum DbCommand {
    /// Copy an installation from its SQLite file to an empty PostgreSQL database (stop the
    /// server first); row counts are checked on both sides.
    Copy {
        /// The SQLite installation, e.g. sqlite://rigshift.db.
        #[arg(long)]
        from: String,
        /// The PostgreSQL database, e.g. postgres://rigshift@db.internal/rigshift.
        #[arg(long)]
        to: String,
        /// Also copy the raw telemetry samples (the hourly rollups are always copied).
        #[arg(long)]
        samples: bool,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum PortfolioCommand {
    /// Print the stored portfolio (TOML unless --json); `import` of the output changes nothing.
    Export {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Apply a portfolio document (FILE.toml, or FILE.json). It is validated whole: a bad
    /// document is refused with its line and field, and nothing changes. A site it lists is
    /// taken whole (a contract it no longer lists ends today; history stays).
    Import {
        file: PathBuf,
        /// Print what would be added, changed and retired; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Retire stored sites the document does not list (their history stays).
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum ImportCommand {
    /// Import a CSV file into the store.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum PowerCommand {
    /// Import settlement point prices: ERCOT's real-time settlement point price CSV as ERCOT
    /// publishes it, or `settlement_point,interval_start_utc,usd_per_mwh`. A bad line refuses
    /// the whole file (its line is named) and nothing is stored.
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a site's power terms from a JSON file (`{"contract": {"kind": "index", "point":
    /// "HB_WEST", "adder_usd_per_mwh": 3.5}, "policy": {...}, ...}`; see API.md).
    Terms {
        site: String,
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Import the summer's coincident-peak intervals: one `interval_start_utc` (RFC 3339) per
    /// line, a header line first.
    Peaks {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// The database a maintenance command works on.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    #[arg(
        long,
        env = "RIGSHIFT_DATABASE_URL",
        default_value = "sqlite://rigshift.db"
    )]
    pub database_url: String,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a browser login; the password is read from stdin (one line, at least 10 characters).
    Add {
        name: String,
        /// viewer, operator, admin, or tenant (with --tenant).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The tenant a tenant user is bound to, as its lease contracts name it.
        #[arg(long)]
        tenant: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List users and their roles.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print it (one line); only its SHA-256 digest is stored.
    Create {
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long, default_value = "cli")]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a token by id; it stops working at once.
    Revoke {
        id: i64,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List tokens (ids, names, roles, last use; never the secret).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

fn parse_optional_addr(s: &str) -> Result<Option<SocketAddr>, String> {
    match s.trim() {
        "" | "off" | "none" => Ok(None),
        a => a
            .parse()
            .map(Some)
            .map_err(|e| format!("{a:?}: {e} (expected host:port or off)")),
    }
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("{s:?}: expected viewer, operator, admin or tenant"))
}

/// Flags of `rigshift serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "RIGSHIFT_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Address of the Prometheus `/metrics` listener (no login: keep it on loopback or a
    /// management network); `off` turns it off.
    #[arg(long, env = "RIGSHIFT_METRICS_ADDR", default_value = "127.0.0.1:9464", value_parser = parse_optional_addr)]
    // Spelled out so clap takes the parser's `Option` as the value ("off" is None).
    pub metrics_addr: ::std::option::Option<SocketAddr>,
    /// Database URL; the SQLite file is created on first start and migrated.
    #[arg(
        long,
        env = "RIGSHIFT_DATABASE_URL",
        default_value = "sqlite://rigshift.db"
    )]
    pub database_url: String,
    /// Run the built-in fleet and market simulator (devices on loopback; market days after the
    /// bundled snapshot).
    /// `--simulator=false` or RIGSHIFT_SIMULATOR=0 turns it off.
    #[arg(long, env = "RIGSHIFT_SIMULATOR", default_value = "true", num_args = 0..=1, default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub simulator: bool,
    /// Fill an empty database with the illustrative demo company (three sites, their contracts
    /// and timeline, labelled as demo data wherever they show). `--demo=false` or
    /// RIGSHIFT_DEMO=0 starts with no sites: add your own on /sites, or `rigshift portfolio
    /// import FILE`. A database that holds sites is never changed by this flag.
    #[arg(long, env = "RIGSHIFT_DEMO", default_value = "true", num_args = 0..=1, default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub demo: bool,
    /// With --demo and the simulator: give the demo company simulated markets so every panel
    /// has data — HB_WEST interval prices for Pecos Ridge (index terms, demand response, 4CP),
    /// a hashprice forward curve, GPU rental quotes — and a tenant login, all stored with
    /// source `simulated`. Never overwrites terms, prices, curves or quotes from a real source.
    #[arg(long, env = "RIGSHIFT_DEMO_MARKETS", default_value = "true", num_args = 0..=1, default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub demo_markets: bool,
    /// Base URL of a mempool-compatible REST API (e.g. `https://mempool.space` or a self-hosted
    /// instance beside your node) for live BTC price, difficulty, fees and height. Without it,
    /// market figures come from the bundled snapshot (and the simulator after it).
    #[arg(long, env = "RIGSHIFT_MARKET_URL", value_parser = parse_http_url)]
    pub market_url: Option<String>,
    /// URL of settlement point prices, fetched every hour: a CSV (ERCOT's posted layout or
    /// `settlement_point,interval_start_utc,usd_per_mwh`) or ERCOT's public API
    /// (`https://api.ercot.com/api/public-reports/np6-905-cd/spp_node_zone_hub?…`, every page).
    #[arg(long, env = "RIGSHIFT_POWER_PRICES_URL", value_parser = parse_http_url)]
    pub power_prices_url: Option<String>,
    /// Name of the environment variable holding ERCOT's API subscription key, sent with every
    /// price request as `Ocp-Apim-Subscription-Key` (the key itself never goes on the command
    /// line, in a log or in the store).
    #[arg(long, env = "RIGSHIFT_POWER_PRICES_KEY_ENV")]
    pub power_prices_key_env: Option<String>,
    /// URL of a CSV hashprice forward curve (`as_of,month,usd_per_ph_day`), fetched daily; the
    /// projection prices the months it covers on it.
    #[arg(long, env = "RIGSHIFT_FORWARDS_URL", value_parser = parse_http_url)]
    pub forwards_url: Option<String>,
    /// URL of a CSV GPU rental index (`date,gpu_model,usd_per_gpu_hour`), fetched daily; GPU-hour
    /// leases are marked to market against it.
    #[arg(long, env = "RIGSHIFT_GPU_INDEX_URL", value_parser = parse_http_url)]
    pub gpu_index_url: Option<String>,
    /// A GPU-hour lease ending within 90 days alerts when it is priced this many percent or
    /// more below its GPU model's index.
    #[arg(long, env = "RIGSHIFT_BELOW_MARKET_ALERT_PCT", default_value_t = 10.0)]
    pub below_market_alert_pct: f64,
    /// TOML fleet file listing devices to poll (`[[asic]] address, site, model` and
    /// `[[gpu]] url, site`); re-read at each start, devices no longer listed stop being polled.
    #[arg(long, env = "RIGSHIFT_FLEET")]
    pub fleet: Option<PathBuf>,
    /// Simulated ASICs (each on its own loopback port, speaking the CGMiner API).
    #[arg(long, env = "RIGSHIFT_SIMULATED_ASICS", default_value_t = 300)]
    pub simulated_asics: usize,
    /// Simulated 8-GPU nodes (each serving DCGM exporter metrics over HTTP).
    #[arg(long, env = "RIGSHIFT_SIMULATED_GPU_NODES", default_value_t = 4)]
    pub simulated_gpu_nodes: usize,
    /// Seconds between polls of one device.
    #[arg(long, env = "RIGSHIFT_POLL_INTERVAL_SECS", default_value_t = 10)]
    pub poll_interval_secs: u64,
    /// Heavy computations (the risk Monte Carlo) run at the same time at most, off the
    /// request runtime (default: the cores but one, at least one).
    #[arg(long, env = "RIGSHIFT_COMPUTE_WORKERS")]
    pub compute_workers: Option<usize>,
    /// Heavy computations that may wait for a worker; beyond that a request gets 503 with
    /// `Retry-After`.
    #[arg(long, env = "RIGSHIFT_COMPUTE_QUEUE", default_value_t = 8)]
    pub compute_queue: usize,
    /// Devices polled at the same time at most.
    #[arg(long, env = "RIGSHIFT_POLL_CONCURRENCY", default_value_t = 512)]
    pub poll_concurrency: usize,
    /// Seconds raw samples wait in memory to be written together: a device's samples of a few
    /// cycles then share one page write (0: every tick). Readers of history write them first;
    /// a crash loses at most this much raw history.
    #[arg(long, env = "RIGSHIFT_SAMPLE_FLUSH_SECS", default_value_t = 30)]
    pub sample_flush_secs: u64,
    /// With PostgreSQL: this replica's name among the replicas sharing the database (default:
    /// host name and process id). Shown in `/metrics` and the device states it publishes.
    #[arg(long, env = "RIGSHIFT_REPLICA_NAME")]
    pub replica_name: Option<String>,
    /// With PostgreSQL: seconds between replica rounds (heartbeat, shard balance, the other
    /// replicas' device states).
    #[arg(long, env = "RIGSHIFT_REPLICA_ROUND_SECS", default_value_t = 5)]
    pub replica_round_secs: u64,
    /// Directory holding the built site (pkg/, vendor/, favicon); `cargo leptos watch` sets
    /// LEPTOS_SITE_ROOT itself.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Pin "today" (YYYY-MM-DD) for demos and reproducible tests; defaults to the UTC date.
    #[arg(long, env = "RIGSHIFT_TODAY")]
    pub today: Option<NaiveDate>,
    /// Mark the session cookie `Secure` (set this when users reach Rigshift over HTTPS; a
    /// proxy's `X-Forwarded-Proto: https` does the same per request).
    #[arg(long, env = "RIGSHIFT_COOKIE_SECURE", default_value = "false", num_args = 0..=1, default_missing_value = "true", value_parser = BoolishValueParser::new())]
    pub cookie_secure: bool,
    /// Password of the `admin` user created when the database has no users. Without it a
    /// random password is generated and logged once.
    #[arg(long, env = "RIGSHIFT_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// A browser session ends after this many minutes without a request.
    #[arg(long, env = "RIGSHIFT_SESSION_IDLE_MINUTES", default_value_t = 720, value_parser = clap::value_parser!(u32).range(1..))]
    pub session_idle_minutes: u32,
    /// A browser session ends this many hours after sign-in, however busy.
    #[arg(long, env = "RIGSHIFT_SESSION_LIFETIME_HOURS", default_value_t = 168, value_parser = clap::value_parser!(u32).range(1..))]
    pub session_lifetime_hours: u32,
    /// API requests per second one client (signed-in user, token, or address) may make on
    /// average; bursts of four seconds' worth pass. 0 turns the limit off.
    #[arg(long, env = "RIGSHIFT_API_RATE", default_value_t = 50)]
    pub api_rate: u32,
    /// Live streams (`/api/v1/stream`) one client may hold open at once.
    #[arg(long, env = "RIGSHIFT_MAX_STREAMS_PER_CLIENT", default_value_t = 8)]
    pub max_streams_per_client: u32,
    /// Requests worked on at once (until their response head; live streams count only while
    /// opening). Beyond it a request is answered 503 with `Retry-After` at once, so a crowd
    /// larger than the machine gets a fast refusal and the rest stay fast.
    #[arg(long, env = "RIGSHIFT_MAX_IN_FLIGHT", default_value_t = 256, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub max_in_flight: usize,
    /// Seconds a request may take before it is answered 408 (streams excepted).
    #[arg(long, env = "RIGSHIFT_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,
    /// Seconds a client has to send a request's head once connected (slow clients are cut off).
    #[arg(long, env = "RIGSHIFT_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_secs: u64,
    /// Slack-compatible incoming-webhook URL for alerts (device offline, over-temperature,
    /// under-delivering hashrate, poll lag, site hashrate drop, slipped milestone).
    #[arg(long, env = "RIGSHIFT_WEBHOOK_URL", value_parser = parse_http_url, hide_env_values = true)]
    pub webhook_url: Option<String>,
    /// Seconds between alert evaluations (and so at most one webhook message per interval).
    #[arg(long, env = "RIGSHIFT_ALERT_INTERVAL_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub alert_interval_secs: u64,
    /// Seconds between checks of which sites their power schedule curtails now (a miner dark
    /// at such a site is shown as curtailed, not offline).
    #[arg(long, env = "RIGSHIFT_CURTAILMENT_CHECK_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub curtailment_check_secs: u64,
}

/// An `http://` or `https://` URL without a trailing slash.
fn parse_http_url(s: &str) -> Result<String, String> {
    let s = s.trim().trim_end_matches('/');
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
        .ok_or("must start with http:// or https://")?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err("needs a host".into());
    }
    Ok(s.to_string())
}

impl Cli {
    /// The serve flags, whether given with or without the `serve` sub-command.
    pub fn serve_args(self) -> ServeArgs {
        match self.command {
            Some(Command::Serve(a)) => a,
            _ => self.serve,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_is_the_default_and_simulator_can_be_switched_off() {
        let a = Cli::parse_from(["rigshift"]).serve_args();
        assert!(a.simulator);
        assert_eq!(a.addr.to_string(), "127.0.0.1:3000");
        let b = Cli::parse_from([
            "rigshift",
            "serve",
            "--simulator=false",
            "--addr",
            "127.0.0.1:9",
        ])
        .serve_args();
        assert!(!b.simulator);
        assert_eq!(b.addr.port(), 9);
        let c =
            Cli::parse_from(["rigshift", "--simulator=0", "--today", "2026-01-02"]).serve_args();
        assert!(!c.simulator);
        assert_eq!(c.today, NaiveDate::from_ymd_opt(2026, 1, 2));
        assert_eq!(a.metrics_addr.map(|m| m.port()), Some(9464));
        let off = Cli::parse_from(["rigshift", "--metrics-addr", "off"]).serve_args();
        assert_eq!(off.metrics_addr, None);
        assert!(Cli::try_parse_from(["rigshift", "--metrics-addr", "localhost"]).is_err());
        assert!(Cli::try_parse_from(["rigshift", "--today", "yesterday"]).is_err());
    }

    #[test]
    fn token_and_user_commands_parse_roles() {
        let c = Cli::parse_from([
            "rigshift", "token", "create", "--role", "operator", "--name", "ci",
        ]);
        assert!(matches!(
            c.command,
            Some(Command::Token(TokenCommand::Create { role: Role::Operator, ref name, .. })) if name == "ci"
        ));
        assert!(Cli::try_parse_from(["rigshift", "token", "create", "--role", "root"]).is_err());
        let u = Cli::parse_from(["rigshift", "user", "add", "ops", "--role", "viewer"]);
        assert!(matches!(
            u.command,
            Some(Command::User(UserCommand::Add { .. }))
        ));
    }
}
