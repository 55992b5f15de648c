//! `rigshift user …` and `rigshift token …`: account maintenance on the database file, with no
//! server running. Changes are audited as actor `cli`.

use std::io::BufRead;
use std::sync::Arc;

use anyhow::Context;

use app::api::ports::Accounts;

use crate::auth::Auth;
use crate::config::{DbArgs, TokenCommand, UserCommand};
use crate::store::Store;

const ACTOR: &str = "cli";

async fn open(db: &DbArgs) -> anyhow::Result<Auth> {
    let store = Store::connect(&db.database_url)
        .await
        .with_context(|| format!("opening {}", db.database_url))?;
    Ok(Auth::new(Arc::new(store), false))
}

pub async fn user(cmd: UserCommand) -> anyhow::Result<()> {
    match cmd {
        UserCommand::Add {
            name,
            role,
            tenant,
            db,
        } => {
            let auth = open(&db).await?;
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from stdin")?;
            let password = line.trim_end_matches(['\n', '\r']);
            auth.add_user(&name, role, tenant.as_deref(), password, ACTOR)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!("created user {name} ({})", role.as_str());
        }
        UserCommand::List { db } => {
            for u in open(&db)
                .await?
                .users()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                println!(
                    "{}\t{}\t{}{}",
                    u.name,
                    u.role.as_str(),
                    u.created_at.format("%Y-%m-%d"),
                    if u.disabled { "\tdisabled" } else { "" }
                );
            }
        }
    }
    Ok(())
}

pub async fn token(cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create { role, name, db } => {
            let created = open(&db)
                .await?
                .create_token(&name, role, ACTOR)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!(
                "token {} ({}, {}): shown once, store it now",
                created.id,
                name,
                role.as_str()
            );
            println!("{}", created.token);
        }
        TokenCommand::Revoke { id, db } => {
            open(&db)
                .await?
                .revoke_token(id, ACTOR)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!("token {id} revoked");
        }
        TokenCommand::List { db } => {
            for t in open(&db)
                .await?
                .tokens()
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d")),
                    None => "active".into(),
                };
                let used = t.last_used_at.map_or("never used".to_string(), |at| {
                    format!("used {}", at.format("%Y-%m-%d %H:%M"))
                });
                println!("{}\t{}\t{}\t{state}\t{used}", t.id, t.name, t.role.as_str());
            }
        }
    }
    Ok(())
}
