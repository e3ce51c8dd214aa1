//! The layers, the names in errors, and the README's table.

use super::{settings::parse_duration, *};

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
    assert!(parse_duration("3x").is_err());
    // humantime's units: weeks too.
    assert_eq!(parse_duration("3w").unwrap(), Duration::from_secs(21 * 86_400));
}

#[test]
fn every_variable_reaches_its_setting() {
    for setting in SETTINGS {
        let env = env(&[(setting.env, "probe")]);
        let layers = Figment::from(Defaults).merge(Environment(&env));
        let value = layers.find_value(setting.key).unwrap_or_else(|e| panic!("{}: {e}", setting.key));
        assert_eq!(value.as_str(), Some("probe"), "{} should set {}", setting.env, setting.key);
    }
}

#[test]
fn lists_and_flags_read_from_either_layer() {
    let file = "trusted_proxies = [\"10.0.0.0/8\"]\n[invitations]\nallow_any_email = true\n";
    let config = Config::from_sources(Some(file), &env(&[])).unwrap();
    assert_eq!(config.trusted_proxies.len(), 1);
    assert!(config.invite_any_email);
    let config = Config::from_sources(
        None,
        &env(&[("PORTCULLIS_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.1"), ("PORTCULLIS_INVITE_ANY_EMAIL", "true")]),
    )
    .unwrap();
    assert_eq!(config.trusted_proxies.len(), 2);
    assert!(config.invite_any_email);
    let err = Config::from_sources(None, &env(&[("PORTCULLIS_LOGIN_MAX_FAILURES", "many")])).unwrap_err();
    assert!(err.to_string().contains("PORTCULLIS_LOGIN_MAX_FAILURES"), "{err}");
    let err = Config::from_sources(Some("[signup]\nmode = \"anyone\""), &env(&[])).unwrap_err();
    assert!(err.to_string().contains("signup.mode") && err.to_string().contains("invite-only"), "{err}");
    // A file that is not TOML is named, with where it breaks.
    let err = Config::from_sources(Some("listen = \"x\n"), &env(&[])).unwrap_err();
    assert!(err.to_string().starts_with("invalid config file portcullis.toml: TOML parse error at line 1"), "{err}");
    let err = Config::from_sources(Some("[admin]\nemial = \"x\""), &env(&[])).unwrap_err();
    assert!(err.to_string().starts_with("unknown setting admin.emial (known: email, name, password)"), "{err}");
    // A password of digits stays text.
    let config = Config::from_sources(None, &env(&[("PORTCULLIS_ADMIN_PASSWORD", "1234567890")])).unwrap();
    assert!(config.first_admin.password.is_some());
}

/// The README's table is rendered from `SETTINGS`; `UPDATE_README=1`
/// rewrites it.
#[test]
fn readme_configuration_table_is_the_declaration() {
    const START: &str = "<!-- settings: rendered from app/src/server/config/settings.rs -->\n";
    const END: &str = "<!-- settings end -->";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let from = readme.find(START).expect("README marks the configuration table") + START.len();
    let to = from + readme[from..].find(END).expect("README ends the configuration table");
    let table = markdown_table();
    if readme[from..to] != table {
        if std::env::var_os("UPDATE_README").is_some() {
            std::fs::write(path, format!("{}{table}{}", &readme[..from], &readme[to..])).unwrap();
        } else {
            panic!("README's configuration table differs from SETTINGS; run with UPDATE_README=1 and review the diff");
        }
    }
}

#[test]
fn route_rules_come_from_the_file_or_the_variable_and_their_mistakes_stop_start_up() {
    let file = "[[forward.routes]]\nmethod = \"POST\"\npath = \"/v1/{workspace}/endpoints/{endpoint}/predict\"\n\
                permission = \"endpoint:invoke\"\nworkspace = \"{workspace}\"\n";
    let config = Config::from_sources(Some(file), &env(&[])).unwrap();
    let needed = config.forward_routes.needed("POST", "/v1/ml/endpoints/e/predict", None).unwrap();
    assert_eq!((needed.permission, needed.workspace.as_deref()), ("endpoint:invoke", Some("ml")));
    let json = r#"[{"path": "/models/*", "permission": "model:read"}]"#;
    let config = Config::from_sources(Some(file), &env(&[("PORTCULLIS_FORWARD_ROUTES", json)])).unwrap();
    assert_eq!(config.forward_routes.needed("GET", "/models/a", None).unwrap().permission, "model:read");
    assert!(config.forward_routes.needed("POST", "/v1/ml/endpoints/e/predict", None).is_err(), "the variable wins");
    let bad = r#"[{"path": "/a/{w}", "permission": "endpoint:fly", "workspace": "{x}"}]"#;
    let err = Config::from_sources(None, &env(&[("PORTCULLIS_FORWARD_ROUTES", bad)])).unwrap_err().to_string();
    assert!(err.contains("PORTCULLIS_FORWARD_ROUTES") && err.contains("endpoint:fly"), "{err}");
    let err = Config::from_sources(None, &env(&[("PORTCULLIS_FORWARD_ROUTES", "[{\"path\": ")])).unwrap_err();
    assert!(err.to_string().contains("PORTCULLIS_FORWARD_ROUTES"), "{err}");
    let err = Config::from_sources(
        Some("[[forward.routes]]\npath = \"/a\"\npermission = \"endpoint:invoke\"\nwho = 1\n"),
        &env(&[]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("who"), "an unknown field is named: {err}");
}
