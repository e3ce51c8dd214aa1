//! The command line: `serve` (the default), `migrate`, `admin …`, `audit verify`,
//! `catalog …`.

use clap::{Parser, Subcommand};
use secrecy::SecretString;
use std::{io::BufRead, process::ExitCode};

use app::{
    domain::{DisplayName, Email},
    server::{services, Config},
};

/// Portcullis: user and access management for AI model-serving platforms.
///
/// Settings come from portcullis.toml (or the file PORTCULLIS_CONFIG names) and
/// from environment variables; see README.md.
#[derive(Debug, Parser)]
#[command(name = "portcullis", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the console and the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage administrator accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Permission catalogs: check a file, show one as Portcullis reads it,
    /// adopt the configured one when that changes stored roles and tokens.
    #[command(subcommand)]
    Catalog(CatalogCommand),
}

#[derive(Debug, Subcommand)]
enum CatalogCommand {
    /// Check a catalog file (docs/catalog.md) without starting: every
    /// mistake with its line and key (exit 1), or what it declares.
    Check { file: std::path::PathBuf },
    /// Print a preset (neutree, adaptive, bentocloud, neptune) or a file as
    /// Portcullis reads it: wildcards expanded, built-in permissions listed.
    Show {
        #[arg(default_value = app::domain::catalog::DEFAULT_PRESET)]
        catalog: String,
    },
    /// Adopt the configured catalog (setting `catalog`) when it removes or
    /// renames permissions that stored roles or tokens name: prints the plan,
    /// applies it in one transaction with an audit entry per role or token
    /// changed. Start-up refuses such a change until this has run.
    Migrate {
        /// Print the plan and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the audit log's hash chain; names the first broken entry (exit 1).
    Verify,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an administrator (global admin role) with a password read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Set a user's password (read from standard input) and end their sessions.
    SetPassword {
        #[arg(long)]
        email: String,
    },
}

/// Runs the command line and turns failures into a message and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Checking and showing catalogs needs no settings, database or runtime.
    if let Some(Command::Catalog(command @ (CatalogCommand::Check { .. } | CatalogCommand::Show { .. }))) = cli.command
    {
        return match catalog(command) {
            Ok(report) => {
                print!("{report}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("{message}");
                ExitCode::FAILURE
            }
        };
    }
    init_tracing();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("portcullis: {error}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("portcullis: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("portcullis: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Reads a preset by name or a catalog file by path.
fn read_catalog(name_or_path: &str) -> Result<app::domain::catalog::Catalog, String> {
    app::server::config::read_catalog(name_or_path).map_err(|error| match error {
        app::server::config::ConfigError::Catalog(problems) => problems,
        other => other.to_string(),
    })
}

fn catalog(command: CatalogCommand) -> Result<String, String> {
    match command {
        CatalogCommand::Migrate { .. } => Err("`catalog migrate` reads the settings and the database".into()),
        CatalogCommand::Check { file } => {
            let name = file.to_string_lossy();
            let catalog = read_catalog(&name)?;
            let own = catalog.permissions.iter().filter(|p| !p.builtin).count();
            Ok(format!(
                "{name}: a valid catalog ({}): {} permissions ({own} of the platform's, {} built in), {} roles, {} token scopes, {} aliases\n",
                catalog.title,
                catalog.permissions.len(),
                catalog.permissions.len() - own,
                catalog.roles.len(),
                catalog.token_scopes.len(),
                catalog.aliases.len()
            ))
        }
        CatalogCommand::Show { catalog } => {
            let catalog = read_catalog(&catalog)?;
            let builtin: Vec<String> = catalog
                .permissions
                .iter()
                .filter(|p| p.builtin)
                .map(|p| format!("#   {} ({:?}): {}", p.key, p.scope, p.description))
                .collect();
            Ok(format!("# Built in:\n{}\n\n{}", builtin.join("\n"), catalog.to_toml()))
        }
    }
}

fn init_tracing() {
    let filter = std::env::var("PORTCULLIS_LOG").unwrap_or_else(|_| "info,sqlx=warn".to_owned());
    let filter =
        tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colour codes only for a person at a terminal: a log file or a
    // collector gets plain text.
    use std::io::IsTerminal;
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_ansi(colour).compact().init();
}

async fn run(command: Command, config: Config) -> Result<(), String> {
    match command {
        Command::Serve => serve(config).await,
        Command::Catalog(CatalogCommand::Migrate { dry_run }) => {
            let state = crate::open_unreconciled(config).await?;
            let plan = services::catalog::migrate(&state, dry_run).await.map_err(|e| e.to_string())?;
            let name = &app::domain::catalog::installed().catalog.name;
            if dry_run {
                println!(
                    "adopting the catalog {name:?} would change:\n{}\n(dry run: nothing was changed)",
                    plan.describe()
                );
            } else {
                println!("adopted the catalog {name:?}:\n{}", plan.describe());
            }
            state.db.close().await;
            Ok(())
        }
        // Answered in `main`, before settings are read; here for completeness.
        Command::Catalog(command) => catalog(command).map(|report| print!("{report}")),
        Command::Migrate => {
            let state = crate::connect(config).await?;
            tracing::info!("migrations applied");
            state.db.close().await;
            Ok(())
        }
        Command::Admin(AdminCommand::Create { email, name }) => {
            let email = Email::parse(&email).map_err(|e| format!("--email: {e}"))?;
            let name = DisplayName::parse(&name).map_err(|e| format!("--name: {e}"))?;
            let password = read_password()?;
            let state = crate::connect(config).await?;
            let user = services::operator::create_with_password(&state, email, name, password, true)
                .await
                .map_err(|e| e.to_string())?;
            println!("created {} ({})", user.email, user.id);
            Ok(())
        }
        Command::Audit(AuditCommand::Verify) => {
            let state = crate::connect(config).await?;
            let mut conn = state.db.read().await.map_err(|e| e.to_string())?;
            let verdict = app::server::store::audit::verify(&mut conn).await.map_err(|e| e.to_string())?;
            match verdict {
                app::server::store::audit::ChainVerdict::Intact { entries, unchained } => {
                    println!("the audit log is intact: {entries} chained entries ({unchained} older ones not chained)");
                    Ok(())
                }
                app::server::store::audit::ChainVerdict::Broken { id, why } => {
                    Err(format!("the audit log is broken at entry {id}: {why}"))
                }
            }
        }
        Command::Admin(AdminCommand::SetPassword { email }) => {
            let email = Email::parse(&email).map_err(|e| format!("--email: {e}"))?;
            let password = read_password()?;
            let state = crate::connect(config).await?;
            let user = services::operator::set_password(&state, &email, password).await.map_err(|e| e.to_string())?;
            println!("password changed for {}; their sessions were ended", user.email);
            Ok(())
        }
    }
}

/// The first line of standard input, without its line ending.
fn read_password() -> Result<SecretString, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err("give the password on standard input, e.g. `printf '%s' \"$PASSWORD\" | portcullis admin …`".into());
    }
    Ok(SecretString::from(password))
}

async fn serve(config: Config) -> Result<(), String> {
    let site = crate::bundle_wasm(&config);
    if !site.exists() {
        tracing::warn!(
            "the console's browser files are missing ({}): pages render but do not come alive; \
             build them with `scripts/build-console.sh` or set PORTCULLIS_SITE_ROOT",
            site.display()
        );
    }
    let listen = config.listen;
    let state = crate::open(config).await?;
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    // Only an empty database needs the index here (to add the first admin),
    // and an empty one loads at once. Otherwise serving starts now: /healthz
    // answers and /readyz says "loading" while a large index loads.
    crate::announce_first_admin(&state).await?;
    tracing::info!("Portcullis is serving the console at {}", state.config.base_url);
    crate::serve(state, listener, shutdown_signal()).await.map_err(|e| format!("server failed: {e}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
