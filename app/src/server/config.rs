//! Configuration: `portcullis.toml` (optional), then `PORTCULLIS_*` and
//! `DATABASE_URL` environment variables over it. Anything unknown or invalid
//! stops start-up with a message naming the setting.

use secrecy::SecretString;
use serde::Deserialize;
use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, time::Duration};

use crate::domain::{DisplayName, Email};

/// Where the SQLite database lives when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/portcullis.db";

/// The typed configuration of one server process.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    /// The address people use to reach the console, without a trailing slash.
    pub base_url: String,
    /// A session ends after this long without use (idle timeout).
    pub session_lifetime: Duration,
    /// A session ends this long after sign-in, however much it is used.
    pub session_max_lifetime: Duration,
    /// Where cargo-leptos put the compiled site (`pkg/`, assets).
    pub site_root: PathBuf,
    pub first_admin: FirstAdmin,
    pub login_throttle: ThrottleConfig,
    /// The most password hashes computed at once; more wait their turn.
    pub max_concurrent_hashes: usize,
    /// How long an invitation link works.
    pub invite_expiry: Duration,
    /// The longest an API token may live.
    pub token_max_lifetime: Duration,
    /// Whether someone signed in with another email than the invited one
    /// may accept (off: they are refused with a page that says why).
    pub invite_any_email: bool,
    pub mail: MailConfig,
    /// Sign-in with GitHub, when configured.
    pub github: Option<OAuthProvider>,
    /// Sign-in with Google, when configured.
    pub google: Option<OAuthProvider>,
    pub signup: SignupPolicy,
    pub cluster: ClusterConfig,
    /// The proxies (load balancers) whose `X-Forwarded-For` / `Forwarded`
    /// headers name the client; from anyone else they are ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// How long a connection may take to send a request's headers, and
    /// how long a kept-alive connection may stay idle between requests.
    pub header_timeout: Duration,
}

/// How this process keeps its index in step with others over one Postgres.
#[derive(Clone, Copy, Debug)]
pub struct ClusterConfig {
    /// How long a check asking for `at_least_revision` may wait for it.
    pub revision_wait: Duration,
    /// How long checks are answered from an index not confirmed in step with
    /// the database (it lost the connection) before they are refused.
    pub max_staleness: Duration,
    /// How often the database is asked for its newest revision: confirms
    /// the index is fresh, and catches up if a notification was missed.
    pub heartbeat: Duration,
}

/// One OAuth provider's client and endpoints. The endpoints default to the
/// real provider's and can be pointed elsewhere (a proxy, or a test double).
#[derive(Clone, Debug)]
pub struct OAuthProvider {
    pub client_id: String,
    pub client_secret: SecretString,
    pub authorize_url: String,
    pub token_url: String,
    /// GitHub: the API root (`/user`, `/user/emails`); Google: the userinfo URL.
    pub api_url: String,
}

/// Who may join without an invitation, and with what.
#[derive(Clone, Debug)]
pub struct SignupPolicy {
    /// `invite-only` (the default), `domains` or `open`.
    pub mode: SignupMode,
    /// For `domains`: the email domains that may join.
    pub domains: Vec<String>,
    /// Emails that become global administrators on their first sign-in.
    pub seed_admins: Vec<Email>,
    /// The role (and workspace, else global) given to people who join
    /// without an invitation; none by default.
    pub default_role: Option<String>,
    pub default_workspace: Option<String>,
}

/// See [`SignupPolicy::mode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignupMode {
    InviteOnly,
    Domains,
    Open,
}

/// How mail leaves: over SMTP when `smtp_url` is set; otherwise it stays in
/// the outbox, where administrators copy invitation links.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `smtp://host:port` (plain, for a local relay), `smtp://…?tls=required`
    /// (STARTTLS) or `smtps://user:password@host` (TLS), as lettre reads it.
    pub smtp_url: Option<SecretString>,
    /// The sender, e.g. `Portcullis <access@example.com>`.
    pub from: String,
}

/// The account created on an empty database.
#[derive(Clone, Debug)]
pub struct FirstAdmin {
    pub email: Email,
    pub name: DisplayName,
    /// `None`: a random one-time password is generated and logged once.
    pub password: Option<SecretString>,
}

/// How failed sign-ins are slowed down.
#[derive(Clone, Copy, Debug)]
pub struct ThrottleConfig {
    /// Failures allowed per account, and per client address, within `window`.
    pub max_failures: u32,
    pub window: Duration,
}

/// A setting that could not be used, named so the operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {message}")]
    File { path: String, message: String },
    #[error("invalid config file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("invalid setting {name}: {message}")]
    Invalid { name: String, message: String },
    #[error("unknown setting {name} (known: {known})")]
    Unknown { name: String, known: String },
}

/// The file's shape; every field optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    database_url: Option<String>,
    base_url: Option<String>,
    session_lifetime: Option<String>,
    session_max_lifetime: Option<String>,
    site_root: Option<String>,
    max_concurrent_hashes: Option<u64>,
    token_max_lifetime: Option<String>,
    admin: Option<FileAdmin>,
    login: Option<FileLogin>,
    invitations: Option<FileInvitations>,
    mail: Option<FileMail>,
    github: Option<FileProvider>,
    google: Option<FileProvider>,
    signup: Option<FileSignup>,
    cluster: Option<FileCluster>,
    trusted_proxies: Option<Vec<String>>,
    max_connections: Option<u64>,
    header_timeout: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCluster {
    revision_wait: Option<String>,
    max_staleness: Option<String>,
    heartbeat: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProvider {
    client_id: Option<String>,
    client_secret: Option<String>,
    authorize_url: Option<String>,
    token_url: Option<String>,
    api_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSignup {
    mode: Option<String>,
    domains: Option<Vec<String>>,
    seed_admins: Option<Vec<String>>,
    default_role: Option<String>,
    default_workspace: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileInvitations {
    expiry: Option<String>,
    allow_any_email: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMail {
    smtp_url: Option<String>,
    from: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAdmin {
    email: Option<String>,
    name: Option<String>,
    password: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLogin {
    max_failures: Option<u64>,
    lockout: Option<String>,
}

/// Every environment variable Portcullis reads, with the file key it overrides.
const ENV_SETTINGS: &[&str] = &[
    "PORTCULLIS_REVISION_WAIT",
    "PORTCULLIS_MAX_STALENESS",
    "PORTCULLIS_SYNC_HEARTBEAT",
    "PORTCULLIS_CONFIG",
    "PORTCULLIS_LISTEN",
    "PORTCULLIS_BASE_URL",
    "PORTCULLIS_SESSION_LIFETIME",
    "PORTCULLIS_SESSION_MAX_LIFETIME",
    "PORTCULLIS_SITE_ROOT",
    "PORTCULLIS_MAX_CONCURRENT_HASHES",
    "PORTCULLIS_ADMIN_EMAIL",
    "PORTCULLIS_ADMIN_NAME",
    "PORTCULLIS_ADMIN_PASSWORD",
    "PORTCULLIS_LOGIN_MAX_FAILURES",
    "PORTCULLIS_LOGIN_LOCKOUT",
    "PORTCULLIS_INVITE_EXPIRY",
    "PORTCULLIS_INVITE_ANY_EMAIL",
    "PORTCULLIS_TOKEN_MAX_LIFETIME",
    "PORTCULLIS_SMTP_URL",
    "PORTCULLIS_MAIL_FROM",
    "PORTCULLIS_GITHUB_CLIENT_ID",
    "PORTCULLIS_GITHUB_CLIENT_SECRET",
    "PORTCULLIS_GITHUB_AUTHORIZE_URL",
    "PORTCULLIS_GITHUB_TOKEN_URL",
    "PORTCULLIS_GITHUB_API_URL",
    "PORTCULLIS_GOOGLE_CLIENT_ID",
    "PORTCULLIS_GOOGLE_CLIENT_SECRET",
    "PORTCULLIS_GOOGLE_AUTHORIZE_URL",
    "PORTCULLIS_GOOGLE_TOKEN_URL",
    "PORTCULLIS_GOOGLE_API_URL",
    "PORTCULLIS_SIGNUP_MODE",
    "PORTCULLIS_SIGNUP_DOMAINS",
    "PORTCULLIS_SEED_ADMINS",
    "PORTCULLIS_DEFAULT_ROLE",
    "PORTCULLIS_DEFAULT_WORKSPACE",
    "PORTCULLIS_LOG",
    "PORTCULLIS_TRUSTED_PROXIES",
    "PORTCULLIS_MAX_CONNECTIONS",
    "PORTCULLIS_HEADER_TIMEOUT",
];

/// The real endpoints, used unless configured otherwise.
const GITHUB_DEFAULTS: [&str; 3] = [
    "https://github.com/login/oauth/authorize",
    "https://github.com/login/oauth/access_token",
    "https://api.github.com",
];
const GOOGLE_DEFAULTS: [&str; 3] = [
    "https://accounts.google.com/o/oauth2/v2/auth",
    "https://oauth2.googleapis.com/token",
    "https://openidconnect.googleapis.com/v1/userinfo",
];

impl Config {
    /// Reads the process environment and the config file it points at
    /// (`PORTCULLIS_CONFIG`, default `portcullis.toml` when that file exists).
    pub fn from_env() -> Result<Self, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let path = env.get("PORTCULLIS_CONFIG").cloned();
        let file = match path {
            Some(path) => Some(read_file(&path)?),
            None if std::path::Path::new("portcullis.toml").exists() => Some(read_file("portcullis.toml")?),
            None => None,
        };
        Self::from_sources(file.as_deref(), &env)
    }

    /// Builds the config from a file's text (if any) and a set of variables.
    pub fn from_sources(file: Option<&str>, env: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let file: FileConfig = match file {
            Some(text) => toml::from_str(text)
                .map_err(|e| ConfigError::Parse { path: "portcullis.toml".into(), message: e.to_string() })?,
            None => FileConfig::default(),
        };
        for name in env.keys().filter(|k| k.starts_with("PORTCULLIS_")) {
            if !ENV_SETTINGS.contains(&name.as_str()) {
                return Err(ConfigError::Unknown { name: name.clone(), known: ENV_SETTINGS.join(", ") });
            }
        }
        let pick = |var: &str, from_file: Option<String>| -> Option<(String, String)> {
            match env.get(var) {
                Some(value) => Some((var.to_owned(), value.clone())),
                None => from_file.map(|v| (file_key(var).to_owned(), v)),
            }
        };
        let admin = file.admin.unwrap_or_default();
        let login = file.login.unwrap_or_default();
        let invitations = file.invitations.unwrap_or_default();
        let mail = file.mail.unwrap_or_default();
        let signup = file.signup.unwrap_or_default();
        let cluster = file.cluster.unwrap_or_default();
        let provider = |prefix: &str,
                        file: Option<FileProvider>,
                        defaults: [&str; 3]|
         -> Result<Option<OAuthProvider>, ConfigError> {
            let file = file.unwrap_or_default();
            let var = |suffix: &str| format!("PORTCULLIS_{prefix}_{suffix}");
            let id = pick(&var("CLIENT_ID"), file.client_id);
            let secret = pick(&var("CLIENT_SECRET"), file.client_secret);
            let (id, secret) = match (id, secret) {
                (None, None) => return Ok(None),
                (Some((_, id)), Some((_, secret))) if !id.trim().is_empty() && !secret.is_empty() => (id, secret),
                (Some((name, _)), _) | (_, Some((name, _))) => {
                    return Err(invalid(&name, "set both the client id and the client secret, or neither"))
                }
            };
            let mut urls = Vec::with_capacity(3);
            for ((suffix, value), default) in
                [("AUTHORIZE_URL", file.authorize_url), ("TOKEN_URL", file.token_url), ("API_URL", file.api_url)]
                    .into_iter()
                    .zip(defaults)
            {
                let url = match pick(&var(suffix), value) {
                    Some((_, url)) if url.starts_with("https://") || url.starts_with("http://") => {
                        url.trim_end_matches('/').to_owned()
                    }
                    Some((name, _)) => return Err(invalid(&name, "use an http(s) URL")),
                    None => default.to_owned(),
                };
                urls.push(url);
            }
            let api_url = urls.pop().unwrap_or_default();
            let token_url = urls.pop().unwrap_or_default();
            let authorize_url = urls.pop().unwrap_or_default();
            Ok(Some(OAuthProvider {
                client_id: id.trim().to_owned(),
                client_secret: SecretString::from(secret),
                authorize_url,
                token_url,
                api_url,
            }))
        };
        let github = provider("GITHUB", file.github, GITHUB_DEFAULTS)?;
        let google = provider("GOOGLE", file.google, GOOGLE_DEFAULTS)?;
        let mode = match pick("PORTCULLIS_SIGNUP_MODE", signup.mode) {
            Some((_, value)) if value == "invite-only" => SignupMode::InviteOnly,
            Some((_, value)) if value == "domains" => SignupMode::Domains,
            Some((_, value)) if value == "open" => SignupMode::Open,
            Some((name, _)) => return Err(invalid(&name, "use invite-only, domains or open")),
            None => SignupMode::InviteOnly,
        };
        let list = |var: &str, from_file: Option<Vec<String>>| -> Option<(String, Vec<String>)> {
            match env.get(var) {
                Some(value) => Some((
                    var.to_owned(),
                    value.split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect(),
                )),
                None => from_file.map(|v| (file_key(var).to_owned(), v)),
            }
        };
        let domains = list("PORTCULLIS_SIGNUP_DOMAINS", signup.domains).map(|(_, d)| d).unwrap_or_default();
        let domains: Vec<String> = domains.into_iter().map(|d| d.trim_start_matches('@').to_lowercase()).collect();
        if mode == SignupMode::Domains && domains.is_empty() {
            return Err(invalid("PORTCULLIS_SIGNUP_DOMAINS", "list the email domains that may join (mode domains)"));
        }
        let seed_admins = match list("PORTCULLIS_SEED_ADMINS", signup.seed_admins) {
            Some((name, emails)) => emails
                .iter()
                .map(|e| Email::parse(e).map_err(|err| invalid(&name, &format!("{e:?}: {err}"))))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let trusted_proxies = match list("PORTCULLIS_TRUSTED_PROXIES", file.trusted_proxies) {
            Some((name, cidrs)) => cidrs
                .iter()
                .map(|c| {
                    // A bare address is a network of one.
                    c.parse::<ipnet::IpNet>()
                        .or_else(|_| c.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| {
                            invalid(&name, &format!("{c:?} is not an address or a CIDR network such as 10.0.0.0/8"))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let default_role = pick("PORTCULLIS_DEFAULT_ROLE", signup.default_role).map(|(_, v)| v.trim().to_owned());
        let default_workspace =
            pick("PORTCULLIS_DEFAULT_WORKSPACE", signup.default_workspace).map(|(_, v)| v.trim().to_owned());

        let listen = match pick("PORTCULLIS_LISTEN", file.listen) {
            Some((name, value)) => {
                value.parse().map_err(|_| invalid(&name, "use an address such as 127.0.0.1:3000"))?
            }
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let database_url = match pick("DATABASE_URL", file.database_url) {
            Some((name, value)) => {
                if !(value.starts_with("sqlite:")
                    || value.starts_with("postgres://")
                    || value.starts_with("postgresql://"))
                {
                    return Err(invalid(&name, "use sqlite://PATH or postgres://USER@HOST/DB"));
                }
                value
            }
            None => DEFAULT_DATABASE_URL.to_owned(),
        };
        let base_url = match pick("PORTCULLIS_BASE_URL", file.base_url) {
            Some((name, value)) => {
                let value = value.trim_end_matches('/').to_owned();
                let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"));
                match rest {
                    Some(host) if !host.is_empty() && !host.contains('/') => value,
                    _ => return Err(invalid(&name, "use an origin such as https://access.example.com (no path)")),
                }
            }
            None => format!("http://{listen}"),
        };
        let session_lifetime = match pick("PORTCULLIS_SESSION_LIFETIME", file.session_lifetime) {
            Some((name, value)) => parse_duration(&value).map_err(|m| invalid(&name, &m))?,
            None => Duration::from_secs(12 * 3600),
        };
        let session_max_lifetime = match pick("PORTCULLIS_SESSION_MAX_LIFETIME", file.session_max_lifetime) {
            Some((name, value)) => parse_duration(&value).map_err(|m| invalid(&name, &m))?,
            None => Duration::from_secs(7 * 24 * 3600),
        };
        if session_max_lifetime < session_lifetime {
            return Err(invalid(
                "PORTCULLIS_SESSION_MAX_LIFETIME",
                "must be at least PORTCULLIS_SESSION_LIFETIME (a session cannot end sooner than its idle timeout)",
            ));
        }
        let site_root = match pick("PORTCULLIS_SITE_ROOT", file.site_root) {
            Some((_, value)) => PathBuf::from(value),
            None => PathBuf::from("target/site"),
        };
        let max_concurrent_hashes =
            match pick("PORTCULLIS_MAX_CONCURRENT_HASHES", file.max_concurrent_hashes.map(|n| n.to_string())) {
                Some((name, value)) => parse_count(&name, &value)? as usize,
                None => 2,
            };
        let email = match pick("PORTCULLIS_ADMIN_EMAIL", admin.email) {
            Some((name, value)) => Email::parse(&value).map_err(|e| invalid(&name, &e.to_string()))?,
            None => Email::parse("admin@portcullis.local").expect("a valid default"),
        };
        let name = match pick("PORTCULLIS_ADMIN_NAME", admin.name) {
            Some((name, value)) => DisplayName::parse(&value).map_err(|e| invalid(&name, &e.to_string()))?,
            None => DisplayName::parse("Administrator").expect("a valid default"),
        };
        let password = match pick("PORTCULLIS_ADMIN_PASSWORD", admin.password) {
            Some((name, value)) => {
                crate::server::password::check_strength(&value).map_err(|m| invalid(&name, &m))?;
                Some(SecretString::from(value))
            }
            None => None,
        };
        let max_failures = match pick("PORTCULLIS_LOGIN_MAX_FAILURES", login.max_failures.map(|n| n.to_string())) {
            Some((name, value)) => parse_count(&name, &value)?,
            None => 5,
        };
        let window = match pick("PORTCULLIS_LOGIN_LOCKOUT", login.lockout) {
            Some((name, value)) => parse_duration(&value).map_err(|m| invalid(&name, &m))?,
            None => Duration::from_secs(15 * 60),
        };
        let invite_expiry = match pick("PORTCULLIS_INVITE_EXPIRY", invitations.expiry) {
            Some((name, value)) => parse_duration(&value).map_err(|m| invalid(&name, &m))?,
            None => Duration::from_secs(7 * 86_400),
        };
        let token_max_lifetime = match pick("PORTCULLIS_TOKEN_MAX_LIFETIME", file.token_max_lifetime) {
            Some((name, value)) => parse_duration(&value).map_err(|m| invalid(&name, &m))?,
            None => Duration::from_secs(365 * 86_400),
        };
        let invite_any_email =
            match pick("PORTCULLIS_INVITE_ANY_EMAIL", invitations.allow_any_email.map(|b| b.to_string())) {
                Some((_, value)) if value == "true" => true,
                Some((_, value)) if value == "false" => false,
                Some((name, _)) => return Err(invalid(&name, "use true or false")),
                None => false,
            };
        let smtp_url = match pick("PORTCULLIS_SMTP_URL", mail.smtp_url) {
            Some((_, value)) if value.starts_with("smtp://") || value.starts_with("smtps://") => {
                Some(SecretString::from(value))
            }
            Some((name, _)) => return Err(invalid(&name, "use smtp://host:port or smtps://user:password@host")),
            None => None,
        };
        let from = match pick("PORTCULLIS_MAIL_FROM", mail.from) {
            Some((name, value)) => {
                let address = value.rsplit_once('<').map_or(value.as_str(), |(_, rest)| rest.trim_end_matches('>'));
                Email::parse(address.trim()).map_err(|e| invalid(&name, &e.to_string()))?;
                value
            }
            None => "Portcullis <portcullis@localhost.localdomain>".to_owned(),
        };
        let duration_or = |var: &str, from_file: Option<String>, default: Duration| match pick(var, from_file) {
            Some((name, value)) => parse_duration(&value).map_err(|m| invalid(&name, &m)),
            None => Ok(default),
        };
        let max_connections = match pick("PORTCULLIS_MAX_CONNECTIONS", file.max_connections.map(|n| n.to_string())) {
            Some((name, value)) => parse_count(&name, &value)? as usize,
            None => 4_096,
        };
        let header_timeout = duration_or("PORTCULLIS_HEADER_TIMEOUT", file.header_timeout, Duration::from_secs(10))?;
        if header_timeout.is_zero() {
            return Err(invalid("PORTCULLIS_HEADER_TIMEOUT", "give a positive duration, such as 10s"));
        }
        let cluster = ClusterConfig {
            revision_wait: duration_or("PORTCULLIS_REVISION_WAIT", cluster.revision_wait, Duration::from_secs(2))?,
            max_staleness: duration_or("PORTCULLIS_MAX_STALENESS", cluster.max_staleness, Duration::from_secs(10))?,
            heartbeat: duration_or("PORTCULLIS_SYNC_HEARTBEAT", cluster.heartbeat, Duration::from_secs(1))?,
        };
        if cluster.heartbeat >= cluster.max_staleness {
            return Err(invalid(
                "PORTCULLIS_SYNC_HEARTBEAT",
                "the heartbeat must be shorter than PORTCULLIS_MAX_STALENESS, or a healthy index would look stale",
            ));
        }
        Ok(Self {
            trusted_proxies,
            max_connections,
            header_timeout,
            cluster,
            github,
            google,
            signup: SignupPolicy { mode, domains, seed_admins, default_role, default_workspace },
            invite_expiry,
            invite_any_email,
            token_max_lifetime,
            mail: MailConfig { smtp_url, from },
            listen,
            database_url,
            base_url,
            session_lifetime,
            session_max_lifetime,
            site_root,
            first_admin: FirstAdmin { email, name, password },
            login_throttle: ThrottleConfig { max_failures, window },
            max_concurrent_hashes,
        })
    }

    /// Cookies get the `Secure` flag when people reach us over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

fn read_file(path: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError::File { path: path.to_owned(), message: e.to_string() })
}

fn invalid(name: &str, message: &str) -> ConfigError {
    ConfigError::Invalid { name: name.to_owned(), message: message.to_owned() }
}

/// The file key that an environment variable overrides, for error messages.
fn file_key(var: &str) -> &'static str {
    match var {
        "PORTCULLIS_LISTEN" => "listen",
        "PORTCULLIS_TRUSTED_PROXIES" => "trusted_proxies",
        "PORTCULLIS_MAX_CONNECTIONS" => "max_connections",
        "PORTCULLIS_HEADER_TIMEOUT" => "header_timeout",
        "DATABASE_URL" => "database_url",
        "PORTCULLIS_BASE_URL" => "base_url",
        "PORTCULLIS_SESSION_LIFETIME" => "session_lifetime",
        "PORTCULLIS_SESSION_MAX_LIFETIME" => "session_max_lifetime",
        "PORTCULLIS_SITE_ROOT" => "site_root",
        "PORTCULLIS_MAX_CONCURRENT_HASHES" => "max_concurrent_hashes",
        "PORTCULLIS_ADMIN_EMAIL" => "admin.email",
        "PORTCULLIS_ADMIN_NAME" => "admin.name",
        "PORTCULLIS_ADMIN_PASSWORD" => "admin.password",
        "PORTCULLIS_LOGIN_MAX_FAILURES" => "login.max_failures",
        "PORTCULLIS_LOGIN_LOCKOUT" => "login.lockout",
        "PORTCULLIS_INVITE_EXPIRY" => "invitations.expiry",
        "PORTCULLIS_INVITE_ANY_EMAIL" => "invitations.allow_any_email",
        "PORTCULLIS_TOKEN_MAX_LIFETIME" => "token_max_lifetime",
        "PORTCULLIS_REVISION_WAIT" => "cluster.revision_wait",
        "PORTCULLIS_MAX_STALENESS" => "cluster.max_staleness",
        "PORTCULLIS_SYNC_HEARTBEAT" => "cluster.heartbeat",
        "PORTCULLIS_SMTP_URL" => "mail.smtp_url",
        "PORTCULLIS_MAIL_FROM" => "mail.from",
        "PORTCULLIS_GITHUB_CLIENT_ID" => "github.client_id",
        "PORTCULLIS_GITHUB_CLIENT_SECRET" => "github.client_secret",
        "PORTCULLIS_GITHUB_AUTHORIZE_URL" => "github.authorize_url",
        "PORTCULLIS_GITHUB_TOKEN_URL" => "github.token_url",
        "PORTCULLIS_GITHUB_API_URL" => "github.api_url",
        "PORTCULLIS_GOOGLE_CLIENT_ID" => "google.client_id",
        "PORTCULLIS_GOOGLE_CLIENT_SECRET" => "google.client_secret",
        "PORTCULLIS_GOOGLE_AUTHORIZE_URL" => "google.authorize_url",
        "PORTCULLIS_GOOGLE_TOKEN_URL" => "google.token_url",
        "PORTCULLIS_GOOGLE_API_URL" => "google.api_url",
        "PORTCULLIS_SIGNUP_MODE" => "signup.mode",
        "PORTCULLIS_SIGNUP_DOMAINS" => "signup.domains",
        "PORTCULLIS_SEED_ADMINS" => "signup.seed_admins",
        "PORTCULLIS_DEFAULT_ROLE" => "signup.default_role",
        "PORTCULLIS_DEFAULT_WORKSPACE" => "signup.default_workspace",
        _ => "?",
    }
}

fn parse_count(name: &str, value: &str) -> Result<u32, ConfigError> {
    match value.trim().parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(invalid(name, "use a whole number of at least 1")),
    }
}

/// `90`, `90s`, `15m`, `12h`, `7d`.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let split = value.find(|c: char| !c.is_ascii_digit()).unwrap_or(value.len());
    let (digits, unit) = value.split_at(split);
    let amount: u64 =
        digits.parse().map_err(|_| format!("{value:?} is not a duration: use e.g. 500ms, 90s, 15m, 12h or 7d"))?;
    let duration = match unit {
        "ms" => Duration::from_millis(amount),
        "" | "s" => Duration::from_secs(amount),
        "m" => Duration::from_secs(amount * 60),
        "h" => Duration::from_secs(amount * 3600),
        "d" => Duration::from_secs(amount * 86_400),
        _ => return Err(format!("{value:?} has an unknown unit: use ms, s, m, h or d")),
    };
    if duration.is_zero() {
        return Err("a duration must be longer than zero".into());
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults() {
        let config = Config::from_sources(None, &env(&[])).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.base_url, "http://127.0.0.1:3000");
        assert!(!config.secure_cookies());
        assert!(config.first_admin.password.is_none());
    }

    #[test]
    fn environment_overrides_file() {
        let file = "listen = \"0.0.0.0:8080\"\nbase_url = \"https://access.example.com/\"\n[admin]\nemail = \"root@example.com\"\n";
        let config = Config::from_sources(Some(file), &env(&[("PORTCULLIS_LISTEN", "127.0.0.1:9000")])).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(config.base_url, "https://access.example.com");
        assert!(config.secure_cookies());
        assert_eq!(config.first_admin.email.as_str(), "root@example.com");
    }

    #[test]
    fn unknown_and_invalid_settings_are_named() {
        let err = Config::from_sources(None, &env(&[("PORTCULLIS_LISTN", "x")])).unwrap_err();
        assert!(err.to_string().contains("PORTCULLIS_LISTN"), "{err}");
        let err = Config::from_sources(None, &env(&[("PORTCULLIS_SESSION_LIFETIME", "forever")])).unwrap_err();
        assert!(err.to_string().contains("PORTCULLIS_SESSION_LIFETIME"), "{err}");
        let err = Config::from_sources(Some("lisen = \"x\""), &env(&[])).unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
        let err = Config::from_sources(Some("[admin]\nemail = \"nope\""), &env(&[])).unwrap_err();
        assert!(err.to_string().contains("admin.email"), "{err}");
        let err = Config::from_sources(None, &env(&[("DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(err.to_string().contains("DATABASE_URL"), "{err}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(604_800));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("0ms").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("3w").is_err());
    }
}
