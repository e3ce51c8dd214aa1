//! Every setting, declared once: its key in `portcullis.toml`, its
//! environment variable, its default and what it means. The declaration
//! gives the serde shape the layers are read into (figment: defaults, then
//! the file, then the environment), the names errors use, and the README's
//! configuration table (checked by a test).

use figment::{
    providers::{Format, Toml},
    value::{Dict, Map, Value},
    Metadata, Profile, Provider,
};
use serde::{de, Deserialize, Deserializer};
use std::{collections::BTreeMap, fmt, time::Duration};

use super::SignupMode;

/// Where `DATABASE_URL` points when it is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/portcullis.db";

/// One setting as the README shows it.
pub struct Setting {
    /// The dotted key in `portcullis.toml`.
    pub key: &'static str,
    pub env: &'static str,
    pub default: Fallback,
    /// Markdown, one line.
    pub doc: &'static str,
}

/// What a setting is when nobody sets it.
#[derive(Clone, Copy)]
pub enum Fallback {
    /// This value, written as a person would write it.
    Is(&'static str),
    /// Nothing: the feature is off.
    Unset,
    /// Worked out at start-up; the text says how.
    Derived(&'static str),
}

use Fallback::{Derived, Is, Unset};

/// Declares the settings structs and [`SETTINGS`] from one list. A field
/// whose fallback is not `Is` must be an `Option`; the `defaults` test
/// catches one that is not.
macro_rules! settings {
    (
        $root:ident {
            $( $field:ident : $ty:ty = $fallback:expr, $env:literal, $doc:literal; )*
        }
        $( $section:ident : $sty:ident {
            $( $sfield:ident : $sfty:ty = $sfallback:expr, $senv:literal, $sdoc:literal; )*
        } )*
    ) => {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(super) struct $root {
            $( pub $field: $ty, )*
            $( pub $section: $sty, )*
        }
        $(
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            pub(super) struct $sty {
                $( pub $sfield: $sfty, )*
            }
        )*
        /// Every setting, in the README's order.
        pub const SETTINGS: &[Setting] = &[
            $( Setting { key: stringify!($field), env: $env, default: $fallback, doc: $doc }, )*
            $( $( Setting {
                key: concat!(stringify!($section), ".", stringify!($sfield)),
                env: $senv,
                default: $sfallback,
                doc: $sdoc,
            }, )* )*
        ];
    };
}

settings! {
    Settings {
        listen: String = Is("127.0.0.1:3000"), "PORTCULLIS_LISTEN",
            "address and port to listen on";
        catalog: String = Is("neutree"), "PORTCULLIS_CATALOG",
            "the platform's permission catalog: a shipped preset (`neutree`, `adaptive`, `bentocloud`, `neptune`) or the path of a catalog file (docs/catalog.md). Every process over one database must run the same one";
        database_url: String = Is(DEFAULT_DATABASE_URL), "DATABASE_URL",
            "`sqlite://PATH` (file and folder created) or `postgres://USER:PASSWORD@HOST/DB`; add `?sslmode=require` (or `verify-full`) for TLS";
        base_url: Option<String> = Derived("`http://` + listen address"), "PORTCULLIS_BASE_URL",
            "the origin people use; `https://` makes cookies `Secure`; cross-origin checks compare against it";
        session_lifetime: Span = Is("12h"), "PORTCULLIS_SESSION_LIFETIME",
            "a session ends after this long without use (`90s`, `15m`, `12h`, `7d`); each use restarts the timer (written at most once a minute)";
        session_max_lifetime: Span = Is("7d"), "PORTCULLIS_SESSION_MAX_LIFETIME",
            "a session ends this long after sign-in however much it is used; at least `session_lifetime`";
        site_root: String = Is("target/site"), "PORTCULLIS_SITE_ROOT",
            "where the compiled browser files are";
        max_connections: u32 = Is("4096"), "PORTCULLIS_MAX_CONNECTIONS",
            "connections served at once; more wait in the listen backlog (keep it well under the process's file-descriptor limit)";
        header_timeout: Span = Is("10s"), "PORTCULLIS_HEADER_TIMEOUT",
            "a connection that does not send a request's headers within this, or idles this long between kept-alive requests, is closed";
        trusted_proxies: Option<List> = Unset, "PORTCULLIS_TRUSTED_PROXIES",
            "addresses or CIDR networks (comma-separated; a list in the file) of your load balancers: only from them are `X-Forwarded-For` / `Forwarded` read to find the client's address (the right-most one that is not a trusted proxy). Set it when running behind a proxy, or every client shares the proxy's address budget";
        max_concurrent_hashes: u32 = Is("2"), "PORTCULLIS_MAX_CONCURRENT_HASHES",
            "password hashes computed at once (Argon2id, 19 MiB each); more wait their turn";
        token_max_lifetime: Span = Is("365d"), "PORTCULLIS_TOKEN_MAX_LIFETIME",
            "the longest an API token may live (the default is 90 days)";
    }
    admin: AdminSettings {
        email: String = Is("admin@portcullis.local"), "PORTCULLIS_ADMIN_EMAIL",
            "first admin, created on an empty database";
        name: String = Is("Administrator"), "PORTCULLIS_ADMIN_NAME",
            "first admin's display name";
        password: Option<String> = Derived("generated, printed once"), "PORTCULLIS_ADMIN_PASSWORD",
            "first admin's password (at least 10 characters)";
    }
    login: LoginSettings {
        max_failures: u32 = Is("5"), "PORTCULLIS_LOGIN_MAX_FAILURES",
            "failed sign-ins per account before each further attempt must wait a growing delay (15 s, 30 s, 1 min, … up to the window); 4× as many per client address before that address is refused for the window";
        lockout: Span = Is("15m"), "PORTCULLIS_LOGIN_LOCKOUT",
            "the window those failures are counted in (and the longest account delay)";
    }
    invitations: InvitationSettings {
        expiry: Span = Is("7d"), "PORTCULLIS_INVITE_EXPIRY",
            "how long an invitation link works";
        allow_any_email: bool = Is("false"), "PORTCULLIS_INVITE_ANY_EMAIL",
            "`true` lets someone signed in with another email than the invited one accept";
    }
    mail: MailSettings {
        smtp_url: Option<String> = Unset, "PORTCULLIS_SMTP_URL",
            "`smtp://host:25` (plain, a local relay), `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://user:pass@host` (TLS). Without it, invitation mail waits in the outbox and the Invitations page offers each link to copy";
        from: String = Is("Portcullis <portcullis@localhost.localdomain>"), "PORTCULLIS_MAIL_FROM",
            "the sender of invitation mail";
    }
    github: GithubSettings {
        client_id: Option<String> = Unset, "PORTCULLIS_GITHUB_CLIENT_ID",
            "sign-in with GitHub: an OAuth app whose callback is `BASE_URL/auth/github/callback` (set the secret too); unset: no GitHub button";
        client_secret: Option<String> = Unset, "PORTCULLIS_GITHUB_CLIENT_SECRET",
            "that OAuth app's client secret";
        authorize_url: String = Is("https://github.com/login/oauth/authorize"), "PORTCULLIS_GITHUB_AUTHORIZE_URL",
            "GitHub's authorization page (change the three endpoints for GitHub Enterprise or a proxy)";
        token_url: String = Is("https://github.com/login/oauth/access_token"), "PORTCULLIS_GITHUB_TOKEN_URL",
            "GitHub's token endpoint";
        api_url: String = Is("https://api.github.com"), "PORTCULLIS_GITHUB_API_URL",
            "GitHub's API root (`/user`, `/user/emails`)";
    }
    google: GoogleSettings {
        client_id: Option<String> = Unset, "PORTCULLIS_GOOGLE_CLIENT_ID",
            "sign-in with Google (callback `BASE_URL/auth/google/callback`; set the secret too); unset: no Google button";
        client_secret: Option<String> = Unset, "PORTCULLIS_GOOGLE_CLIENT_SECRET",
            "that OAuth client's secret";
        authorize_url: String = Is("https://accounts.google.com/o/oauth2/v2/auth"), "PORTCULLIS_GOOGLE_AUTHORIZE_URL",
            "Google's authorization page";
        token_url: String = Is("https://oauth2.googleapis.com/token"), "PORTCULLIS_GOOGLE_TOKEN_URL",
            "Google's token endpoint";
        api_url: String = Is("https://openidconnect.googleapis.com/v1/userinfo"), "PORTCULLIS_GOOGLE_API_URL",
            "Google's userinfo endpoint";
    }
    signup: SignupSettings {
        mode: SignupMode = Is("invite-only"), "PORTCULLIS_SIGNUP_MODE",
            "who may join without an invitation: `invite-only`, `domains` (with `signup.domains`) or `open`";
        domains: Option<List> = Unset, "PORTCULLIS_SIGNUP_DOMAINS",
            "for `domains`: the email domains (comma-separated; a list in the file) that may join";
        seed_admins: Option<List> = Unset, "PORTCULLIS_SEED_ADMINS",
            "emails (comma-separated) that become global admins on their first sign-in with GitHub or Google";
        default_role: Option<String> = Unset, "PORTCULLIS_DEFAULT_ROLE",
            "the role people who join without an invitation get (nothing unless set)";
        default_workspace: Option<String> = Unset, "PORTCULLIS_DEFAULT_WORKSPACE",
            "the workspace that role applies in (unset: everywhere)";
    }
    forward: ForwardSettings {
        routes: Option<crate::server::gateway::RouteList> = Unset, "PORTCULLIS_FORWARD_ROUTES",
            "the gateway's route rules for `/api/v1/authz/forward`, in order, the first match deciding: `[[forward.routes]]` tables in the file (a JSON array in the variable) of `method` (or `*`), `path` (`/v1/{workspace}/endpoints/{endpoint}/predict`, `*` last for the rest), `permission` and `workspace` (`{workspace}`, `host` for the first label of the host, a key, or absent for global). A request no rule matches is refused (docs/forward-auth.md)";
    }
    cluster: ClusterSettings {
        revision_wait: Span = Is("2s"), "PORTCULLIS_REVISION_WAIT",
            "how long a check with `at_least_revision` may wait for this process to reach it before a 503 (`500ms`, `2s`)";
        max_staleness: Span = Is("10s"), "PORTCULLIS_MAX_STALENESS",
            "Postgres: how long checks are answered from an index not confirmed in step with the database (it is unreachable) before they fail closed";
        heartbeat: Span = Is("1s"), "PORTCULLIS_SYNC_HEARTBEAT",
            "Postgres: how often the newest revision is read, to confirm freshness and catch a missed notification (shorter than the staleness limit)";
    }
}

/// Variables read before the settings, or by the logger: no file key.
pub const PROCESS_ENV: &[(&str, Fallback, &str)] = &[
    ("PORTCULLIS_CONFIG", Is("portcullis.toml"), "the settings file (read when it exists)"),
    ("PORTCULLIS_LOG", Is("info,sqlx=warn"), "log filter (tracing `EnvFilter` syntax)"),
];

/// The setting a key names, if it is one.
pub fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// Whether the process may carry this variable.
pub fn known_env(name: &str) -> bool {
    SETTINGS.iter().any(|s| s.env == name) || PROCESS_ENV.iter().any(|(env, ..)| *env == name)
}

/// The declared defaults, as the lowest layer.
pub struct Defaults;

impl Provider for Defaults {
    fn metadata(&self) -> Metadata {
        Metadata::named("default")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let values = SETTINGS.iter().filter_map(|s| match s.default {
            Is(value) => Some((s.key, value.to_owned())),
            Unset | Derived(_) => None,
        });
        let mut root = dict_of(values);
        // Every section is there, even one whose settings all default to
        // nothing (`forward`): serde needs the table to read it.
        for section in SETTINGS.iter().filter_map(|s| s.key.split_once('.').map(|(section, _)| section)) {
            root.entry(section.to_owned()).or_insert_with(|| Value::from(Dict::new()));
        }
        Ok(Profile::Default.collect(root))
    }
}

/// The settings file's text.
pub struct File<'a>(pub &'a str);

impl Provider for File<'_> {
    fn metadata(&self) -> Metadata {
        Metadata::named("config file")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Toml::string(self.0).data()
    }
}

/// The declared variables that are set, as text: figment's own `Env` would
/// read `1234567890` as a number and `[x]` as a list.
pub struct Environment<'a>(pub &'a BTreeMap<String, String>);

impl Provider for Environment<'_> {
    fn metadata(&self) -> Metadata {
        Metadata::named("environment variable")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let values = SETTINGS.iter().filter_map(|s| self.0.get(s.env).map(|value| (s.key, value.clone())));
        Ok(Profile::Default.collect(dict_of(values)))
    }
}

/// Nests `section.field` keys; the declaration has no deeper ones.
fn dict_of(values: impl Iterator<Item = (&'static str, String)>) -> Dict {
    let mut root = Dict::new();
    for (key, value) in values {
        match key.split_once('.') {
            Some((section, field)) => {
                let entry = root.entry(section.to_owned()).or_insert_with(|| Value::from(Dict::new()));
                if let Value::Dict(_, fields) = entry {
                    fields.insert(field.to_owned(), Value::from(value));
                }
            }
            None => {
                root.insert(key.to_owned(), Value::from(value));
            }
        }
    }
    root
}

/// A duration: `500ms`, `90s`, `15m`, `12h`, `7d` (humantime's units; a
/// bare number is seconds). Never zero.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span(pub Duration);

pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let duration = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => humantime::parse_duration(value)
            .map_err(|e| format!("{value:?} is not a duration ({e}): use e.g. 500ms, 90s, 15m, 12h or 7d"))?,
    };
    if duration.is_zero() {
        return Err("a duration must be longer than zero".into());
    }
    Ok(duration)
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl de::Visitor<'_> for Visit {
            type Value = Span;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as 90s, 15m, 12h or 7d")
            }
            fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Span, E> {
                self.visit_str(&seconds.to_string())
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Span, E> {
                parse_duration(value).map(Span).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// A list: an array in the file, comma-separated in a variable.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct List(pub Vec<String>);

impl<'de> Deserialize<'de> for List {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> de::Visitor<'de> for Visit {
            type Value = List;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list, or text with commas between the items")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<List, E> {
                Ok(List(value.split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<List, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    items.push(item.trim().to_owned());
                }
                Ok(List(items))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

/// The README's configuration table, rendered from [`SETTINGS`].
pub fn markdown_table() -> String {
    let shown = |fallback: Fallback| match fallback {
        Is(value) => format!("`{value}`"),
        Unset => "none".to_owned(),
        Derived(how) => how.to_owned(),
    };
    let mut table = String::from(
        "| Environment variable | `portcullis.toml` key | Default | Meaning |\n| --- | --- | --- | --- |\n",
    );
    for s in SETTINGS {
        table += &format!("| `{}` | `{}` | {} | {} |\n", s.env, s.key, shown(s.default), s.doc);
    }
    for (env, fallback, doc) in PROCESS_ENV {
        table += &format!("| `{env}` | — | {} | {doc} |\n", shown(*fallback));
    }
    table
}
