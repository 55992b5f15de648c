//! `rigshift`: parse the command line, start logging, serve or run a maintenance command.

use clap::Parser;
use server::config::{Cli, Command, DbCommand, ImportCommand, PortfolioCommand, PowerCommand};
use server::forwards::ForwardInput;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::User(cmd)) => server::admin_cli::user(cmd).await,
        Some(Command::Token(cmd)) => server::admin_cli::token(cmd).await,
        Some(Command::Serve(args)) => server::launch(args).await,
        Some(Command::Simulate(args)) => server::simulator::standalone::run(args).await,
        Some(Command::Backup { file, db }) => server::backup::backup(&db.database_url, &file)
            .await
            .map(|inv| eprintln!("backed up to {}: {inv}", file.display())),
        Some(Command::Restore { file, force, db }) => {
            server::backup::restore(&db.database_url, &file, force)
                .await
                .map(|inv| eprintln!("restored {}: {inv}", file.display()))
        }
        Some(Command::Db(DbCommand::Copy { from, to, samples })) => {
            server::db_copy::copy(&from, &to, samples)
                .await
                .map(|report| eprintln!("copied {from} to the PostgreSQL database:\n{report}"))
        }
        Some(Command::Power(cmd)) => power(cmd).await,
        Some(Command::Forwards(cmd)) => forward_input(ForwardInput::HashpriceCurve, cmd).await,
        Some(Command::GpuIndex(cmd)) => forward_input(ForwardInput::GpuIndex, cmd).await,
        Some(Command::Portfolio(cmd)) => portfolio(cmd).await,
        Some(Command::History(ImportCommand::Import { file, db })) => {
            server::portfolio::cli::import_history(&db.database_url, &file)
                .await
                .map(|n| eprintln!("imported {n} reported site-months from {}", file.display()))
        }
        None => server::launch(cli.serve).await,
    };
    // One readable line with its causes, not a backtrace, whatever RUST_BACKTRACE says.
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn portfolio(cmd: PortfolioCommand) -> anyhow::Result<()> {
    use server::portfolio::cli;
    match cmd {
        PortfolioCommand::Export { json, db } => {
            print!("{}", cli::export(&db.database_url, json).await?);
        }
        PortfolioCommand::Import {
            file,
            dry_run,
            replace,
            db,
        } => {
            let plan = cli::import(&db.database_url, &file, dry_run, replace).await?;
            eprint!("{}", cli::describe(&plan, dry_run));
        }
    }
    Ok(())
}

async fn power(cmd: PowerCommand) -> anyhow::Result<()> {
    let url = match &cmd {
        PowerCommand::Import { db, .. }
        | PowerCommand::Terms { db, .. }
        | PowerCommand::Peaks { db, .. } => db.database_url.clone(),
    };
    let store = server::store::Store::connect(&url).await?;
    match cmd {
        PowerCommand::Import { file, .. } => {
            let n = server::power::import_file(&store, &file).await?;
            eprintln!("imported {n} interval prices from {}", file.display());
        }
        PowerCommand::Terms { site, file, .. } => {
            server::power::set_terms_file(&store, &site, &file).await?;
            eprintln!("power terms of {site} set from {}", file.display());
        }
        PowerCommand::Peaks { file, .. } => {
            let n = server::power::import_peaks(&store, &file).await?;
            eprintln!(
                "imported {n} coincident-peak intervals from {}",
                file.display()
            );
        }
    }
    Ok(())
}

async fn forward_input(input: ForwardInput, cmd: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Import { file, db } = cmd;
    let store = server::store::Store::connect(&db.database_url).await?;
    let n = server::forwards::import_file(&store, input, &file).await?;
    eprintln!("imported {n} rows from {}", file.display());
    Ok(())
}
