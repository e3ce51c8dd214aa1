//! Configuration: `portcullis.toml` (optional), then `PORTCULLIS_*` and
//! `DATABASE_URL` environment variables over it. Anything unknown or invalid
//! stops start-up with a message naming the setting.

mod settings;

use figment::{error::Kind, Figment};
use secrecy::SecretString;
use serde::Deserialize;
use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, time::Duration};

use crate::domain::{DisplayName, Email};
pub use settings::{markdown_table, Fallback, Setting, DEFAULT_DATABASE_URL, PROCESS_ENV, SETTINGS};
use settings::{Defaults, Environment, File, Settings};

/// The typed configuration of one server process.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// The platform's permissions, roles and token scopes (`catalog`).
    pub catalog: crate::domain::catalog::Catalog,
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
    /// What `/authz/forward` asks of a request a gateway holds (`forward.routes`).
    pub forward_routes: crate::server::gateway::RouteRules,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
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
    /// Every mistake of the catalog file, each with its file, line and key.
    #[error("invalid permission catalog:\n{0}")]
    Catalog(String),
}

/// Reads a shipped preset by name, or a catalog file by path.
pub fn read_catalog(name_or_path: &str) -> Result<crate::domain::catalog::Catalog, ConfigError> {
    use crate::domain::catalog::{parse, preset, PRESETS};
    if let Some(preset) = preset(name_or_path) {
        return preset.map_err(|errors| ConfigError::Catalog(errors.to_string()));
    }
    let source = std::fs::read_to_string(name_or_path).map_err(|e| {
        let presets: Vec<&str> = PRESETS.iter().map(|(name, _, _)| *name).collect();
        ConfigError::Catalog(format!(
            "{name_or_path}: {e} (the presets are {}; anything else is a file's path)",
            presets.join(", ")
        ))
    })?;
    parse(&source, name_or_path).map_err(|errors| ConfigError::Catalog(errors.to_string()))
}

impl Config {
    /// Reads the process environment and the config file it points at
    /// (`PORTCULLIS_CONFIG`, default `portcullis.toml` when that file exists).
    pub fn from_env() -> Result<Self, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let path = match env.get("PORTCULLIS_CONFIG") {
            Some(path) => Some(path.clone()),
            None => std::path::Path::new("portcullis.toml").exists().then(|| "portcullis.toml".to_owned()),
        };
        let text = match &path {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| ConfigError::File { path: path.clone(), message: e.to_string() })?,
            ),
            None => None,
        };
        Self::from_layers(path.as_deref().zip(text.as_deref()), &env)
    }

    /// Builds the config from a file's text (if any) and a set of variables.
    pub fn from_sources(file: Option<&str>, env: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        Self::from_layers(file.map(|text| ("portcullis.toml", text)), env)
    }

    fn from_layers(file: Option<(&str, &str)>, env: &BTreeMap<String, String>) -> Result<Self, ConfigError> {
        if let Some(name) = env.keys().find(|k| k.starts_with("PORTCULLIS_") && !settings::known_env(k)) {
            let known: Vec<&str> = SETTINGS.iter().map(|s| s.env).chain(PROCESS_ENV.iter().map(|(e, ..)| *e)).collect();
            let known = known.join(", ");
            return Err(ConfigError::Unknown { name: name.clone(), known });
        }
        let names = Names(env);
        let mut layers = Figment::from(Defaults);
        if let Some((_, text)) = file {
            layers = layers.merge(File(text));
        }
        let settings: Settings = layers
            .merge(Environment(env))
            .extract_lossy()
            .map_err(|e| from_figment(e, &names, file.map_or("", |(path, _)| path)))?;
        build(settings, &names)
    }

    /// Cookies get the `Secure` flag when people reach us over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// Names a setting as the operator wrote it: its variable when the
/// environment set it, else its file key.
struct Names<'a>(&'a BTreeMap<String, String>);

impl Names<'_> {
    fn of(&self, key: &str) -> String {
        match settings::setting(key) {
            Some(s) if self.0.contains_key(s.env) => s.env.to_owned(),
            _ => key.to_owned(),
        }
    }

    fn invalid(&self, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid { name: self.of(key), message: message.into() }
    }
}

/// figment names the key (as the operator wrote it, see [`Names`]); an
/// error at no key is the file's, which did not parse.
fn from_figment(error: figment::Error, names: &Names, file: &str) -> ConfigError {
    let path = error.path.join(".");
    if path.is_empty() && !matches!(error.kind, Kind::UnknownField(..)) {
        return ConfigError::Parse { path: file.to_owned(), message: error.kind.to_string() };
    }
    if let Kind::UnknownField(field, expected) = &error.kind {
        // figment's path may already end with the field.
        let name = match path.rsplit('.').next() {
            Some(last) if last == field => path,
            _ if path.is_empty() => field.clone(),
            _ => format!("{path}.{field}"),
        };
        return ConfigError::Unknown { name, known: expected.join(", ") };
    }
    names.invalid(&path, error.kind.to_string())
}

/// Checks what serde cannot (addresses, emails, URLs, limits between
/// settings) and gives each value its type.
fn build(s: Settings, names: &Names) -> Result<Config, ConfigError> {
    let listen: SocketAddr =
        s.listen.parse().map_err(|_| names.invalid("listen", "use an address such as 127.0.0.1:3000"))?;
    let database_url = s.database_url;
    if !["sqlite:", "postgres://", "postgresql://"].iter().any(|p| database_url.starts_with(p)) {
        return Err(names.invalid("database_url", "use sqlite://PATH or postgres://USER@HOST/DB"));
    }
    let base_url = match s.base_url {
        Some(value) => {
            let value = value.trim_end_matches('/').to_owned();
            let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"));
            match rest {
                Some(host) if !host.is_empty() && !host.contains('/') => value,
                _ => {
                    return Err(names.invalid("base_url", "use an origin such as https://access.example.com (no path)"))
                }
            }
        }
        None => format!("http://{listen}"),
    };
    let (session_lifetime, session_max_lifetime) = (s.session_lifetime.0, s.session_max_lifetime.0);
    if session_max_lifetime < session_lifetime {
        return Err(names.invalid(
            "session_max_lifetime",
            "must be at least PORTCULLIS_SESSION_LIFETIME (a session cannot end sooner than its idle timeout)",
        ));
    }
    let count =
        |key: &str, n: u32| if n == 0 { Err(names.invalid(key, "use a whole number of at least 1")) } else { Ok(n) };
    let email = Email::parse(&s.admin.email).map_err(|e| names.invalid("admin.email", e.to_string()))?;
    let name = DisplayName::parse(&s.admin.name).map_err(|e| names.invalid("admin.name", e.to_string()))?;
    let password = match s.admin.password {
        Some(value) => {
            crate::server::password::check_strength(&value).map_err(|m| names.invalid("admin.password", m))?;
            Some(SecretString::from(value))
        }
        None => None,
    };
    let smtp_url = match s.mail.smtp_url {
        Some(value) if value.starts_with("smtp://") || value.starts_with("smtps://") => Some(SecretString::from(value)),
        Some(_) => return Err(names.invalid("mail.smtp_url", "use smtp://host:port or smtps://user:password@host")),
        None => None,
    };
    let from = s.mail.from;
    let address = from.rsplit_once('<').map_or(from.as_str(), |(_, rest)| rest.trim_end_matches('>'));
    Email::parse(address.trim()).map_err(|e| names.invalid("mail.from", e.to_string()))?;
    let header_timeout = s.header_timeout.0;
    let cluster = ClusterConfig {
        revision_wait: s.cluster.revision_wait.0,
        max_staleness: s.cluster.max_staleness.0,
        heartbeat: s.cluster.heartbeat.0,
    };
    if cluster.heartbeat >= cluster.max_staleness {
        return Err(names.invalid(
            "cluster.heartbeat",
            "the heartbeat must be shorter than PORTCULLIS_MAX_STALENESS, or a healthy index would look stale",
        ));
    }
    let github = s.github;
    let github = provider(
        names,
        "github",
        [github.client_id, github.client_secret],
        [github.authorize_url, github.token_url, github.api_url],
    )?;
    let google = s.google;
    let google = provider(
        names,
        "google",
        [google.client_id, google.client_secret],
        [google.authorize_url, google.token_url, google.api_url],
    )?;
    let catalog = read_catalog(s.catalog.trim())?;
    let forward_routes = crate::server::gateway::RouteRules::compile(&s.forward.routes.unwrap_or_default().0, &catalog)
        .map_err(|errors| names.invalid("forward.routes", errors.join("; ")))?;
    Ok(Config {
        catalog,
        forward_routes,
        trusted_proxies: networks(names, s.trusted_proxies.unwrap_or_default().0)?,
        max_connections: count("max_connections", s.max_connections)? as usize,
        header_timeout,
        cluster,
        github,
        google,
        signup: signup(names, s.signup)?,
        invite_expiry: s.invitations.expiry.0,
        invite_any_email: s.invitations.allow_any_email,
        token_max_lifetime: s.token_max_lifetime.0,
        mail: MailConfig { smtp_url, from },
        listen,
        database_url,
        base_url,
        session_lifetime,
        session_max_lifetime,
        site_root: PathBuf::from(s.site_root),
        first_admin: FirstAdmin { email, name, password },
        login_throttle: ThrottleConfig {
            max_failures: count("login.max_failures", s.login.max_failures)?,
            window: s.login.lockout.0,
        },
        max_concurrent_hashes: count("max_concurrent_hashes", s.max_concurrent_hashes)? as usize,
    })
}

/// A provider is on when both its client id and secret are set.
fn provider(
    names: &Names,
    section: &str,
    [id, secret]: [Option<String>; 2],
    urls: [String; 3],
) -> Result<Option<OAuthProvider>, ConfigError> {
    let (id, secret) = match (id, secret) {
        (None, None) => return Ok(None),
        (Some(id), Some(secret)) if !id.trim().is_empty() && !secret.is_empty() => (id, secret),
        (id, _) => {
            let field = if id.is_some() { "client_id" } else { "client_secret" };
            return Err(names
                .invalid(&format!("{section}.{field}"), "set both the client id and the client secret, or neither"));
        }
    };
    let mut checked = Vec::with_capacity(3);
    for (url, field) in urls.into_iter().zip(["authorize_url", "token_url", "api_url"]) {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(names.invalid(&format!("{section}.{field}"), "use an http(s) URL"));
        }
        checked.push(url.trim_end_matches('/').to_owned());
    }
    let [authorize_url, token_url, api_url]: [String; 3] = checked.try_into().expect("three URLs");
    Ok(Some(OAuthProvider {
        client_id: id.trim().to_owned(),
        client_secret: SecretString::from(secret),
        authorize_url,
        token_url,
        api_url,
    }))
}

fn signup(names: &Names, s: settings::SignupSettings) -> Result<SignupPolicy, ConfigError> {
    let domains: Vec<String> =
        s.domains.unwrap_or_default().0.into_iter().map(|d| d.trim_start_matches('@').to_lowercase()).collect();
    if s.mode == SignupMode::Domains && domains.is_empty() {
        return Err(names.invalid("signup.domains", "list the email domains that may join (mode domains)"));
    }
    let seed_admins = s
        .seed_admins
        .unwrap_or_default()
        .0
        .iter()
        .map(|e| Email::parse(e).map_err(|err| names.invalid("signup.seed_admins", format!("{e:?}: {err}"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SignupPolicy {
        mode: s.mode,
        domains,
        seed_admins,
        default_role: s.default_role.map(|v| v.trim().to_owned()),
        default_workspace: s.default_workspace.map(|v| v.trim().to_owned()),
    })
}

/// A bare address is a network of one.
fn networks(names: &Names, items: Vec<String>) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    items
        .iter()
        .map(|c| {
            c.parse::<ipnet::IpNet>().or_else(|_| c.parse::<std::net::IpAddr>().map(ipnet::IpNet::from)).map_err(|_| {
                names
                    .invalid("trusted_proxies", format!("{c:?} is not an address or a CIDR network such as 10.0.0.0/8"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
