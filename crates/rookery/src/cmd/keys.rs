//! `rookery keys create|list|revoke`: API keys of the service, stored as keyed hashes in the
//! job store (`--db`: the data directory's SQLite file, or PostgreSQL); the key is keyed with
//! the data directory's server secret.

use super::serve::{config_with, ServeArgs};
use super::Failure;
use rookery_service::auth::{self, Secret};
use rookery_service::jobs::{self, JobStore};
use std::sync::Arc;

/// What to do with keys.
#[derive(clap::Subcommand, Clone, Debug)]
pub(crate) enum KeysCmd {
    /// Creates a key and prints it once (only its keyed hash is stored).
    Create {
        /// Who or what the key is for.
        #[arg(long)]
        name: String,
        /// Comma-separated scopes: execute (= jobs:execute), jobs (= jobs:read:own), usage, admin.
        #[arg(long, default_value = "execute,jobs")]
        scopes: String,
    },
    /// Lists keys (id, name, scopes, created, last used, revoked).
    List,
    /// Revokes a key by id or name.
    Revoke { id_or_name: String },
}

fn open(args: &ServeArgs) -> Result<(Arc<dyn JobStore>, Secret), Failure> {
    let c = config_with(args, false)?;
    std::fs::create_dir_all(&c.data_dir)
        .map_err(|e| Failure::io(format!("cannot create {}: {e}", c.data_dir.display())))?;
    let store = jobs::open_store(&c).map_err(|e| Failure::io(e.to_string()))?;
    let secret = Secret::load(&c.data_dir).map_err(|e| Failure::io(format!("server secret: {e}")))?;
    Ok((store, secret))
}

pub(crate) fn run(args: &ServeArgs, cmd: &KeysCmd) -> Result<(), Failure> {
    let (store, secret) = open(args)?;
    match cmd {
        KeysCmd::Create { name, scopes } => {
            let (key, rec) =
                auth::create_key(store.as_ref(), &secret, name, std::slice::from_ref(scopes)).map_err(|e| match e {
                    // The store could not record it: an I/O failure (exit 1), not the request's.
                    auth::KeyError::Store(_) => Failure::io(e.to_string()),
                    _ => Failure::request(e.to_string()),
                })?;
            println!("{key}");
            eprintln!(
                "rookery: created key {} for '{}' with scopes {}; it is shown only now: store it safely",
                rec.id,
                rec.name,
                rec.scopes.join(",")
            );
        }
        KeysCmd::List => {
            let ks = store.keys().map_err(|e| Failure::io(e.to_string()))?;
            println!("id\tname\tscopes\tcreated\tlast_used\trevoked");
            let t = |x: Option<i64>| x.map_or_else(|| "-".to_string(), rookery_service::time::iso_seconds);
            for k in ks {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    k.id,
                    k.name,
                    k.scopes.join(","),
                    t(Some(k.created)),
                    t(k.last_used),
                    t(k.revoked)
                );
            }
        }
        KeysCmd::Revoke { id_or_name } => {
            if !auth::revoke_key(store.as_ref(), id_or_name).map_err(|e| Failure::io(e.to_string()))? {
                return Err(Failure::request(format!("no active key with id or name '{id_or_name}'")));
            }
            eprintln!("rookery: revoked {id_or_name}");
        }
    }
    Ok(())
}
