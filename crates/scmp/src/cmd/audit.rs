//! `scmp audit verify`: checks the audit chain and its signed checkpoints offline, from the data
//! directory (and the database, when it is PostgreSQL).

use std::path::PathBuf;

use anyhow::Context;
use scmp_server::checkpoint::{verify, Verdict};

/// `scmp audit ...`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check the hash chain and every signed checkpoint; exit 0 when intact, 1 naming the first bad
    /// entry otherwise.
    Verify {
        /// The server's data directory (its database and its checkpoint signing key).
        #[arg(long, env = "SCMP_DATA_DIR")]
        data_dir: PathBuf,
        /// The PostgreSQL database, when the server uses one.
        #[arg(long, env = "SCMP_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
    },
    /// `audit_list`: the log from the server, oldest first, with who acted by name.
    List(crate::cli::audit::ListArgs),
}

/// Runs the command.
pub async fn run(cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Verify {
            data_dir,
            database_url,
        } => {
            let store = match &database_url {
                Some(url) => scmp_store::DataStore::open(url).await,
                None => {
                    anyhow::ensure!(
                        data_dir.join("scmp.db").exists(),
                        "no database in {}",
                        data_dir.display()
                    );
                    scmp_store::DataStore::open_dir(&data_dir).await
                }
            }
            .context("opening the store")?;
            match verify(&store, &data_dir).await.context("verifying")? {
                Verdict::Intact {
                    entries,
                    checkpoints,
                    site_entries,
                } => {
                    println!("audit log intact: {entries} entries, {checkpoints} signed checkpoint(s) verified, {site_entries} site entries signed by their agents");
                    Ok(())
                }
                Verdict::Broken { seq, reason } => {
                    eprintln!("audit log BROKEN at entry {seq}: {reason}");
                    std::process::exit(1);
                }
            }
        }
        Command::List(_) => anyhow::bail!("`audit list` talks to the server"),
    }
}
