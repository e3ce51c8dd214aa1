//! The gateway's route rules (`forward.routes`): which permission, in which
//! workspace, a request arriving at the platform needs. `/authz/forward`
//! asks them when a gateway sends the original method and URI instead of an
//! explicit question. Pure: compiled once from the configuration, then only
//! matched.

use serde::{de, Deserialize, Deserializer};
use std::fmt;

use crate::domain::catalog::Catalog;

/// One rule as the configuration writes it:
/// `{ method = "POST", path = "/v1/{workspace}/endpoints/{endpoint}/predict",
/// permission = "endpoint:invoke", workspace = "{workspace}" }`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteInput {
    /// `GET`, `POST`, …; absent or `*`: any method.
    #[serde(default)]
    pub method: Option<String>,
    /// Segments between `/`: literal text, `{name}` (any one segment) or,
    /// last, `*` (whatever follows, even nothing).
    pub path: String,
    /// A permission key (or alias) of the catalog.
    pub permission: String,
    /// Where the question is asked: `{name}` (a segment of `path`), `host`
    /// (the first label of the request's host: `ml.models.example.com` is
    /// `ml`) or a workspace key; absent: globally.
    #[serde(default)]
    pub workspace: Option<String>,
}

/// The rules in order: an array of tables in the file, JSON text in the
/// environment variable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteList(pub Vec<RouteInput>);

impl<'de> Deserialize<'de> for RouteList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> de::Visitor<'de> for Visit {
            type Value = RouteList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of route rules (in a variable: a JSON array of them)")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<RouteList, E> {
                serde_json::from_str(value).map(RouteList).map_err(E::custom)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RouteList, A::Error> {
                let mut rules = Vec::new();
                while let Some(rule) = seq.next_element::<RouteInput>()? {
                    rules.push(rule);
                }
                Ok(RouteList(rules))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    /// `*`, last: the rest of the path.
    Rest,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Place {
    Global,
    /// The index of the segment that names the workspace.
    Segment(usize),
    Host,
    Fixed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    method: Option<String>,
    segments: Vec<Segment>,
    /// The permission's key as the catalog names it (an alias resolved).
    permission: String,
    workspace: Place,
}

/// The compiled rules; the first that matches a request decides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouteRules(Vec<Rule>);

/// What a request needs: a permission, in a workspace or globally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needed<'a> {
    pub permission: &'a str,
    pub workspace: Option<String>,
}

/// Why no rule can decide a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undecided {
    /// No rule matches it.
    NoRule,
    /// Its path could mean something else upstream (`..`, `.`, an empty or
    /// encoded `/` or `.` segment, a backslash): refused rather than guessed.
    UnsafePath,
    /// The rule takes the workspace from the host, and there is none.
    NoHost,
}

impl Undecided {
    /// The `X-Portcullis-Reason` of the refusal.
    pub fn reason(self) -> &'static str {
        match self {
            Self::NoRule => "no_rule",
            Self::UnsafePath => "unsafe_path",
            Self::NoHost => "no_host",
        }
    }
}

impl RouteRules {
    /// Checks every rule against the catalog; each mistake is named as
    /// `forward.routes[i]: …`, all of them at once.
    pub fn compile(inputs: &[RouteInput], catalog: &Catalog) -> Result<Self, Vec<String>> {
        let mut errors = Vec::new();
        let mut rules = Vec::new();
        for (i, input) in inputs.iter().enumerate() {
            match compile_one(input, catalog) {
                Ok(rule) => rules.push(rule),
                Err(message) => errors.push(format!("forward.routes[{i}] ({}): {message}", input.path)),
            }
        }
        if errors.is_empty() {
            Ok(Self(rules))
        } else {
            Err(errors)
        }
    }

    /// Whether any rule is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What the request `method uri` (to `host`) needs, by the first rule
    /// that matches. The query string is not part of the match.
    pub fn needed(&self, method: &str, uri: &str, host: Option<&str>) -> Result<Needed<'_>, Undecided> {
        let path = uri.split(['?', '#']).next().unwrap_or_default();
        let segments = safe_segments(path).ok_or(Undecided::UnsafePath)?;
        for rule in &self.0 {
            if rule.method.as_deref().is_some_and(|m| !m.eq_ignore_ascii_case(method)) {
                continue;
            }
            if !matches(&rule.segments, &segments) {
                continue;
            }
            let workspace = match &rule.workspace {
                Place::Global => None,
                Place::Segment(index) => Some(segments[*index].to_owned()),
                Place::Fixed(key) => Some(key.clone()),
                Place::Host => Some(first_label(host).ok_or(Undecided::NoHost)?.to_owned()),
            };
            return Ok(Needed { permission: &rule.permission, workspace });
        }
        Err(Undecided::NoRule)
    }
}

fn compile_one(input: &RouteInput, catalog: &Catalog) -> Result<Rule, String> {
    let method = match input.method.as_deref().map(str::trim) {
        None | Some("*") => None,
        Some(m) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphabetic()) => Some(m.to_ascii_uppercase()),
        Some(m) => return Err(format!("method `{m}` is not an HTTP method (GET, POST, … or *)")),
    };
    let Some(path) = input.path.strip_prefix('/') else {
        return Err("a path starts with /".to_owned());
    };
    let mut segments = Vec::new();
    let parts: Vec<&str> = if path.is_empty() { Vec::new() } else { path.split('/').collect() };
    for (i, part) in parts.iter().enumerate() {
        let segment = if *part == "*" {
            if i + 1 != parts.len() {
                return Err("`*` may only end a path".to_owned());
            }
            Segment::Rest
        } else if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(format!("`{{{name}}}`: a parameter is named with letters, digits and _"));
            }
            if segments.iter().any(|s| *s == Segment::Param(name.to_owned())) {
                return Err(format!("`{{{name}}}` appears twice"));
            }
            Segment::Param(name.to_owned())
        } else if part.is_empty() {
            return Err("a path has no empty segment (`//`, or a trailing /)".to_owned());
        } else if part.contains(['{', '}', '*', '?', '#', '%', '\\']) || *part == "." || *part == ".." {
            return Err(format!("`{part}` is neither literal text nor a whole `{{name}}` or `*` segment"));
        } else {
            Segment::Literal((*part).to_owned())
        };
        segments.push(segment);
    }
    let permission =
        catalog.find(input.permission.trim()).map(|index| catalog.permissions[index].key.clone()).ok_or_else(|| {
            format!("`{}` is not a permission of the catalog `{}`", input.permission.trim(), catalog.name)
        })?;
    let workspace = match input.workspace.as_deref().map(str::trim) {
        None | Some("") => Place::Global,
        Some("host") => Place::Host,
        Some(text) => match text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            Some(name) => Place::Segment(
                segments
                    .iter()
                    .position(|s| *s == Segment::Param(name.to_owned()))
                    .ok_or_else(|| format!("workspace `{{{name}}}` is not a parameter of the path"))?,
            ),
            None => Place::Fixed(
                crate::domain::WorkspaceKey::parse(text)
                    .map_err(|e| format!("workspace `{text}`: {e} (or `{{name}}`, or `host`)"))?
                    .to_string(),
            ),
        },
    };
    Ok(Rule { method, segments, permission, workspace })
}

/// The segments of a request's path, or `None` when the path could be read
/// another way upstream: gateways and servers differ in how they treat dot
/// segments, empty segments and encoded separators, and a check of one
/// reading must not let through a request served as another.
fn safe_segments(path: &str) -> Option<Vec<&str>> {
    let rest = path.strip_prefix('/')?;
    if rest.is_empty() {
        return Some(Vec::new());
    }
    // An encoded `/`, `.`, `\` or NUL, in either case, without a lower-cased
    // copy of every path.
    let encoded = rest.as_bytes().windows(3).any(|w| {
        w[0] == b'%' && matches!((w[1], w[2].to_ascii_lowercase()), (b'2', b'f' | b'e') | (b'5', b'c') | (b'0', b'0'))
    });
    if encoded || rest.contains('\\') {
        return None;
    }
    let segments: Vec<&str> = rest.split('/').collect();
    // A trailing slash is the same resource to most servers: its empty last
    // segment is dropped; an empty one inside (`//`) is refused.
    let segments = match segments.split_last() {
        Some((last, before)) if last.is_empty() => before.to_vec(),
        _ => segments,
    };
    segments.iter().all(|s| !s.is_empty() && *s != "." && *s != "..").then_some(segments)
}

fn matches(template: &[Segment], segments: &[&str]) -> bool {
    let mut at = 0;
    for segment in template {
        match segment {
            Segment::Rest => return true,
            Segment::Literal(text) if segments.get(at) == Some(&text.as_str()) => {}
            Segment::Param(_) if segments.get(at).is_some() => {}
            _ => return false,
        }
        at += 1;
    }
    at == segments.len()
}

/// `ml` of `ml.models.example.com:443`.
fn first_label(host: Option<&str>) -> Option<&str> {
    let host = host?.trim();
    let name =
        host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(n, _)| n);
    name.split('.').next().filter(|label| !label.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(method: Option<&str>, path: &str, permission: &str, workspace: Option<&str>) -> RouteInput {
        RouteInput {
            method: method.map(str::to_owned),
            path: path.to_owned(),
            permission: permission.to_owned(),
            workspace: workspace.map(str::to_owned),
        }
    }

    fn rules() -> RouteRules {
        let catalog = crate::domain::catalog::preset("neutree").unwrap().unwrap();
        RouteRules::compile(
            &[
                rule(
                    Some("post"),
                    "/v1/{workspace}/endpoints/{endpoint}/predict",
                    "endpoint:invoke",
                    Some("{workspace}"),
                ),
                rule(Some("GET"), "/v1/{workspace}/endpoints/*", "endpoint:read", Some("{workspace}")),
                rule(None, "/hosted/*", "endpoint:invoke", Some("host")),
                rule(Some("*"), "/datasets/shared", "dataset:read", Some("shared")),
                rule(None, "/healthz", "workspace:read", None),
            ],
            &catalog,
        )
        .unwrap()
    }

    #[test]
    fn the_first_matching_rule_decides() {
        let rules = rules();
        let needed = |m, u, h| rules.needed(m, u, h);
        assert_eq!(
            needed("POST", "/v1/ml/endpoints/llama/predict?stream=1", None),
            Ok(Needed { permission: "endpoint:invoke", workspace: Some("ml".into()) })
        );
        assert_eq!(needed("GET", "/v1/ml/endpoints/llama/predict", None).unwrap().permission, "endpoint:read");
        assert_eq!(needed("GET", "/v1/ml/endpoints", None).unwrap().permission, "endpoint:read", "* takes nothing too");
        assert_eq!(needed("DELETE", "/v1/ml/endpoints/llama/predict", None), Err(Undecided::NoRule));
        assert_eq!(
            needed("PUT", "/hosted/a/b", Some("team-a.models.example.com:8443")),
            Ok(Needed { permission: "endpoint:invoke", workspace: Some("team-a".into()) })
        );
        assert_eq!(needed("PUT", "/hosted/a", None), Err(Undecided::NoHost));
        assert_eq!(needed("GET", "/datasets/shared/", None).unwrap().workspace.as_deref(), Some("shared"));
        assert_eq!(needed("GET", "/healthz", None), Ok(Needed { permission: "workspace:read", workspace: None }));
        assert_eq!(needed("GET", "/", None), Err(Undecided::NoRule));
    }

    #[test]
    fn paths_that_could_be_read_another_way_are_refused() {
        let rules = rules();
        for uri in [
            "/v1/ml/endpoints/../../other/endpoints/x/predict",
            "/v1/ml/endpoints/./x/predict",
            "/v1//endpoints/x/predict",
            "/v1/ml%2Fendpoints/x/predict",
            "/v1/ml/endpoints/x/%2e%2e/predict",
            "/v1/ml\\endpoints/x/predict",
            "v1/ml/endpoints/x/predict",
        ] {
            assert_eq!(rules.needed("POST", uri, None), Err(Undecided::UnsafePath), "{uri}");
        }
    }

    #[test]
    fn mistakes_are_named_all_at_once() {
        let catalog = crate::domain::catalog::preset("neutree").unwrap().unwrap();
        let errors = RouteRules::compile(
            &[
                rule(None, "/ok/{a}", "endpoint:invoke", Some("{a}")),
                rule(None, "/a/{w}", "endpoint:fly", None),
                rule(None, "/a/{w}", "endpoint:invoke", Some("{other}")),
                rule(None, "no-slash", "endpoint:invoke", None),
                rule(None, "/a/*/b", "endpoint:invoke", None),
                rule(None, "/a/x{w}", "endpoint:invoke", None),
                rule(Some("PO ST"), "/a", "endpoint:invoke", None),
                rule(None, "/a/{w}/{w}", "endpoint:invoke", None),
                rule(None, "/a", "endpoint:invoke", Some("Not A Key")),
            ],
            &catalog,
        )
        .unwrap_err();
        assert_eq!(errors.len(), 8, "{errors:#?}");
        assert!(errors[0].starts_with("forward.routes[1] (/a/{w}): `endpoint:fly` is not a permission"), "{errors:#?}");
        assert!(errors[1].contains("`{other}` is not a parameter"), "{errors:#?}");
        assert!(errors.iter().all(|e| e.starts_with("forward.routes[")), "{errors:#?}");
    }

    #[test]
    fn a_variable_carries_the_rules_as_json() {
        let list: RouteList = serde_json::from_value(serde_json::json!(
            r#"[{"path": "/v1/{w}/x", "permission": "endpoint:invoke", "workspace": "{w}"}]"#
        ))
        .unwrap();
        assert_eq!(list.0, [rule(None, "/v1/{w}/x", "endpoint:invoke", Some("{w}"))]);
    }

    proptest! {
        // Whatever is asked, a workspace taken from the path is exactly one
        // whole segment of it: never a part, never across a `/`.
        #[test]
        fn a_workspace_from_the_path_is_one_whole_segment(
            segments in proptest::collection::vec("[a-z0-9.%/-]{0,6}", 0..6),
        ) {
            let rules = rules();
            let uri = format!("/v1/{}", segments.join("/"));
            if let Ok(Needed { workspace: Some(workspace), .. }) = rules.needed("POST", &uri, None) {
                prop_assert!(uri.split('/').any(|s| s == workspace));
                prop_assert!(!workspace.is_empty() && !workspace.contains('/') && workspace != ".." && workspace != ".");
            }
        }
    }
}
