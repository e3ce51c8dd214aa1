//! The permission catalog as a platform declares it: its resources and their
//! actions, its roles, its API-token scopes and the other names it gives to
//! Portcullis's own permissions. Written as TOML (docs/catalog.md); the four
//! presets ship in `catalogs/`. Portcullis's own management permissions
//! (`user:*`, `role:*`, `team:*`, `workspace:*`, `policy:*`, `invite:*`,
//! `audit:*`, `settings:*`) are built in: a catalog names them in roles but
//! never declares them. Pure: parsing and checking, no I/O.

use serde::{Deserialize, Serialize};
use std::{
    collections::{BTreeSet, HashMap},
    fmt,
    sync::OnceLock,
};

use super::{permission::BUILTIN, Permission, PermissionSet, ScopeKind};

/// How many permissions one installation may have in all (built-in ones
/// included): the width of a permission set.
pub const MAX_PERMISSIONS: usize = 256;

/// The resources whose permissions are Portcullis's own.
pub const RESERVED_RESOURCES: [&str; 8] =
    ["user", "role", "team", "workspace", "policy", "invite", "audit", "settings"];

/// The role every installation has, with every permission.
pub const ADMIN_ROLE: &str = "admin";

/// The token scope every installation has: permissions the member picks.
pub const CUSTOM_SCOPE: &str = "custom";

/// The presets shipped with Portcullis: (name, file name, TOML).
pub const PRESETS: [(&str, &str, &str); 4] = [
    ("neutree", "catalogs/neutree.toml", include_str!("../../../catalogs/neutree.toml")),
    ("adaptive", "catalogs/adaptive.toml", include_str!("../../../catalogs/adaptive.toml")),
    ("bentocloud", "catalogs/bentocloud.toml", include_str!("../../../catalogs/bentocloud.toml")),
    ("neptune", "catalogs/neptune.toml", include_str!("../../../catalogs/neptune.toml")),
];

/// The preset used when an installation names none.
pub const DEFAULT_PRESET: &str = "neutree";

/// One permission of a catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPermission {
    /// `resource:action`.
    pub key: String,
    pub description: String,
    pub scope: ScopeKind,
    /// The key it had before, for `portcullis catalog migrate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// Portcullis's own, not the platform's.
    pub builtin: bool,
}

impl CatalogPermission {
    /// The part before the colon.
    pub fn resource(&self) -> &str {
        self.key.split_once(':').map_or("", |(r, _)| r)
    }

    /// The part after the colon.
    pub fn action(&self) -> &str {
        self.key.split_once(':').map_or("", |(_, a)| a)
    }
}

/// A resource type: a name for people over a group of permissions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogResource {
    pub key: String,
    pub name: String,
    pub scope: ScopeKind,
}

/// A role the catalog defines: built in, so nobody may change it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogRole {
    pub key: String,
    pub name: String,
    pub description: String,
    /// Indices into [`Catalog::permissions`], ascending.
    pub permissions: BTreeSet<usize>,
}

/// A named permission set offered when making an API token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogTokenScope {
    pub key: String,
    pub name: String,
    pub description: String,
    /// Indices into [`Catalog::permissions`] (the token never gets more
    /// than its owner holds).
    pub permissions: BTreeSet<usize>,
    /// A permission the owner must hold to make a token of this scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<usize>,
}

/// Another name for a permission, accepted wherever a key is asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogAlias {
    pub key: String,
    /// Index into [`Catalog::permissions`].
    pub of: usize,
}

/// A checked catalog: Portcullis's permissions first, in their fixed order,
/// then the platform's in the order the file gives them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub name: String,
    pub title: String,
    pub description: String,
    pub resources: Vec<CatalogResource>,
    pub permissions: Vec<CatalogPermission>,
    pub roles: Vec<CatalogRole>,
    pub token_scopes: Vec<CatalogTokenScope>,
    pub aliases: Vec<CatalogAlias>,
}

impl Catalog {
    /// The index of the permission with this key, or of the one this alias names.
    pub fn find(&self, key: &str) -> Option<usize> {
        self.permissions
            .iter()
            .position(|p| p.key == key)
            .or_else(|| self.aliases.iter().find(|a| a.key == key).map(|a| a.of))
    }

    /// The role with this key.
    pub fn role(&self, key: &str) -> Option<&CatalogRole> {
        self.roles.iter().find(|r| r.key == key)
    }

    /// The keys of a set of indices, in catalog order.
    pub fn keys<'a>(&'a self, set: &'a BTreeSet<usize>) -> impl Iterator<Item = &'a str> + 'a {
        set.iter().map(|&i| self.permissions[i].key.as_str())
    }
}

impl Catalog {
    /// Portcullis's own permissions and nothing of a platform's: what a
    /// browser page has before it reads the server's catalog.
    pub fn builtin() -> Self {
        Catalog {
            name: "portcullis".into(),
            title: "Portcullis".into(),
            description: String::new(),
            resources: Vec::new(),
            permissions: BUILTIN
                .iter()
                .map(|(key, scope, description)| CatalogPermission {
                    key: (*key).into(),
                    description: (*description).into(),
                    scope: *scope,
                    renamed_from: None,
                    builtin: true,
                })
                .collect(),
            roles: Vec::new(),
            token_scopes: Vec::new(),
            aliases: Vec::new(),
        }
    }
}

/// The catalog this process runs, with what checks need worked out once.
#[derive(Debug)]
pub struct Installed {
    pub catalog: Catalog,
    all: Vec<Permission>,
    by_key: HashMap<String, Permission>,
    every: PermissionSet,
    global: PermissionSet,
    workspace: PermissionSet,
    /// Parallel to `catalog.roles` and `catalog.token_scopes`.
    roles: Vec<PermissionSet>,
    scopes: Vec<PermissionSet>,
    /// The catalog as the browser reads it (`page_json`), made once: every
    /// page carries it.
    page_json: String,
}

static INSTALLED: OnceLock<Installed> = OnceLock::new();

/// The name and description of Portcullis's own role.
pub const ADMIN_NAME: &str = "Administrator";
pub const ADMIN_DESCRIPTION: &str = "Every permission, including ones added in later versions";

impl Installed {
    fn new(catalog: Catalog) -> Result<Self, String> {
        let n = catalog.permissions.len();
        if n > MAX_PERMISSIONS {
            return Err(format!("{n} permissions; at most {MAX_PERMISSIONS} fit"));
        }
        let builtin_first =
            BUILTIN.iter().zip(&catalog.permissions).all(|((key, scope, _), p)| p.key == *key && p.scope == *scope);
        if n < BUILTIN.len() || !builtin_first {
            return Err("a catalog starts with Portcullis's own permissions, in their order".into());
        }
        let in_range = |set: &BTreeSet<usize>| set.iter().all(|&i| i < n);
        if !catalog.roles.iter().all(|r| in_range(&r.permissions))
            || !catalog.token_scopes.iter().all(|s| in_range(&s.permissions) && s.requires.is_none_or(|i| i < n))
            || !catalog.aliases.iter().all(|a| a.of < n)
        {
            return Err("a role, token scope or alias names a permission past the catalog's end".into());
        }
        let all: Vec<Permission> = (0..n).map(Permission::at).collect();
        let mut by_key: HashMap<String, Permission> =
            catalog.permissions.iter().zip(&all).map(|(p, at)| (p.key.clone(), *at)).collect();
        for alias in &catalog.aliases {
            by_key.entry(alias.key.clone()).or_insert(all[alias.of]);
        }
        let of =
            |kind: ScopeKind| all.iter().copied().filter(|p| catalog.permissions[p.index()].scope == kind).collect();
        let set = |indices: &BTreeSet<usize>| indices.iter().map(|&i| all[i]).collect::<PermissionSet>();
        Ok(Installed {
            every: all.iter().copied().collect(),
            global: of(ScopeKind::Global),
            workspace: of(ScopeKind::Workspace),
            roles: catalog.roles.iter().map(|r| set(&r.permissions)).collect(),
            scopes: catalog.token_scopes.iter().map(|s| set(&s.permissions)).collect(),
            page_json: serde_json::to_string(&catalog).map_err(|e| e.to_string())?.replace('<', "\\u003c"),
            by_key,
            all,
            catalog,
        })
    }

    /// Every permission, in catalog order.
    pub fn permissions(&self) -> &[Permission] {
        &self.all
    }

    /// The permission with this key or alias.
    pub fn find(&self, key: &str) -> Option<Permission> {
        self.by_key.get(key).copied()
    }

    pub fn every(&self) -> PermissionSet {
        self.every
    }

    pub fn of_scope(&self, kind: ScopeKind) -> PermissionSet {
        match kind {
            ScopeKind::Global => self.global,
            ScopeKind::Workspace => self.workspace,
        }
    }

    /// The permissions of a built-in role: `admin` (every one) or the catalog's.
    pub fn builtin_role(&self, key: &str) -> Option<PermissionSet> {
        if key == ADMIN_ROLE {
            return Some(self.every);
        }
        self.catalog.roles.iter().position(|r| r.key == key).map(|i| self.roles[i])
    }

    /// Every built-in role, `admin` first: key, name, description, permissions.
    pub fn builtin_roles(&self) -> impl Iterator<Item = (&str, &str, &str, PermissionSet)> + '_ {
        std::iter::once((ADMIN_ROLE, ADMIN_NAME, ADMIN_DESCRIPTION, self.every)).chain(
            self.catalog
                .roles
                .iter()
                .zip(&self.roles)
                .map(|(r, set)| (r.key.as_str(), r.name.as_str(), r.description.as_str(), *set)),
        )
    }

    /// The index of the token scope with this key.
    pub fn token_scope(&self, key: &str) -> Option<usize> {
        self.catalog.token_scopes.iter().position(|s| s.key == key)
    }

    /// A token scope's permissions and the one its maker must hold.
    pub fn token_scope_grant(&self, index: usize) -> (PermissionSet, Option<Permission>) {
        (self.scopes[index], self.catalog.token_scopes[index].requires.map(|i| self.all[i]))
    }

    /// The catalog as JSON for a browser page, safe inside `<script>`.
    pub fn page_json(&self) -> &str {
        &self.page_json
    }
}

/// Makes `catalog` this process's catalog: once, before any permission is
/// used. Installing the same catalog again is fine; another one is refused
/// (a process answers with one catalog or none).
pub fn install(catalog: Catalog) -> Result<&'static Installed, String> {
    let mut candidate = Some(Installed::new(catalog)?);
    let installed = INSTALLED.get_or_init(|| candidate.take().expect("taken once"));
    match candidate {
        Some(other) if other.catalog != installed.catalog => Err(format!(
            "this process already runs the catalog {:?}; it cannot switch to {:?} without a restart",
            installed.catalog.name, other.catalog.name
        )),
        _ => Ok(installed),
    }
}

/// The installed catalog (the default preset when none was installed).
pub fn installed() -> &'static Installed {
    INSTALLED.get_or_init(|| Installed::new(default_catalog()).expect("the default catalog is valid"))
}

#[cfg(feature = "ssr")]
fn default_catalog() -> Catalog {
    preset(DEFAULT_PRESET).expect("shipped").expect("the default preset is valid")
}

// The browser reads the server's catalog from the page before hydrating
// (`ui::install_catalog`); this is only the fallback.
#[cfg(not(feature = "ssr"))]
fn default_catalog() -> Catalog {
    Catalog::builtin()
}

/// What is wrong with a catalog, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogError {
    /// 1-based, when the problem has a place in the file.
    pub line: Option<usize>,
    /// The key (or entry) at fault.
    pub key: Option<String>,
    pub message: String,
}

/// Every problem found in one catalog file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogErrors {
    pub file: String,
    pub errors: Vec<CatalogError>,
}

impl fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if let Some(line) = error.line {
                write!(f, ":{line}")?;
            }
            write!(f, ": ")?;
            if let Some(key) = &error.key {
                write!(f, "`{key}`: ")?;
            }
            write!(f, "{}", error.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogErrors {}

#[cfg(feature = "ssr")]
pub use file::{parse, preset};

#[cfg(feature = "ssr")]
mod file {
    //! The TOML form and its checks.

    use super::*;
    use toml::Spanned;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct CatalogFile {
        name: Spanned<String>,
        title: String,
        #[serde(default)]
        description: String,
        #[serde(default, rename = "resource")]
        resources: Vec<ResourceFile>,
        #[serde(default, rename = "alias")]
        aliases: Vec<AliasFile>,
        #[serde(default, rename = "role")]
        roles: Vec<RoleFile>,
        #[serde(default, rename = "token_scope")]
        token_scopes: Vec<TokenScopeFile>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ResourceFile {
        key: Spanned<String>,
        name: String,
        scope: ScopeKind,
        actions: Vec<ActionFile>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ActionFile {
        key: Spanned<String>,
        description: String,
        /// Overrides the resource's.
        scope: Option<ScopeKind>,
        renamed_from: Option<Spanned<String>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct AliasFile {
        key: Spanned<String>,
        of: Spanned<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RoleFile {
        key: Spanned<String>,
        name: String,
        #[serde(default)]
        description: String,
        permissions: Vec<Spanned<String>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct TokenScopeFile {
        key: Spanned<String>,
        name: String,
        #[serde(default)]
        description: String,
        permissions: Vec<Spanned<String>>,
        /// Keeps only the permissions of this kind.
        scope: Option<ScopeKind>,
        requires: Option<Spanned<String>>,
    }

    /// The preset with this name (`neutree`, `adaptive`, `bentocloud`, `neptune`).
    pub fn preset(name: &str) -> Option<Result<Catalog, CatalogErrors>> {
        PRESETS.iter().find(|(preset, _, _)| *preset == name).map(|(_, file, source)| parse(source, file))
    }

    /// Reads and checks a catalog; `file` names it in the errors.
    pub fn parse(source: &str, file: &str) -> Result<Catalog, CatalogErrors> {
        let mut check = Check { source, errors: Vec::new() };
        let parsed: CatalogFile = match toml::from_str(source) {
            Ok(parsed) => parsed,
            Err(error) => {
                let line = error.span().map(|span| check.line(span.start));
                let message = error.message().to_owned();
                return Err(CatalogErrors {
                    file: file.to_owned(),
                    errors: vec![CatalogError { line, key: None, message }],
                });
            }
        };
        let catalog = check.catalog(parsed);
        if check.errors.is_empty() {
            Ok(catalog)
        } else {
            Err(CatalogErrors { file: file.to_owned(), errors: check.errors })
        }
    }

    struct Check<'s> {
        source: &'s str,
        errors: Vec<CatalogError>,
    }

    /// Resource, action and catalog names: `a-z`, digits and `_`, starting
    /// with a letter, at most 32 characters.
    fn is_word(text: &str) -> bool {
        let bytes = text.as_bytes();
        (1..=32).contains(&bytes.len())
            && bytes[0].is_ascii_lowercase()
            && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
    }

    /// Role and token-scope keys: also `-`, at most 63 characters.
    fn is_role_key(text: &str) -> bool {
        let bytes = text.as_bytes();
        (1..=63).contains(&bytes.len())
            && bytes[0].is_ascii_alphanumeric()
            && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_' || *b == b'-')
    }

    fn is_permission_key(text: &str) -> bool {
        text.split_once(':').is_some_and(|(r, a)| is_word(r) && is_word(a))
    }

    impl Check<'_> {
        fn line(&self, offset: usize) -> usize {
            self.source[..offset.min(self.source.len())].bytes().filter(|b| *b == b'\n').count() + 1
        }

        fn fail(&mut self, at: &Spanned<String>, message: impl Into<String>) {
            let line = Some(self.line(at.span().start));
            self.errors.push(CatalogError { line, key: Some(at.get_ref().clone()), message: message.into() });
        }

        fn catalog(&mut self, file: CatalogFile) -> Catalog {
            if !is_word(file.name.get_ref()) {
                self.fail(&file.name, "a catalog's name is a-z, digits and _, starting with a letter");
            }
            let mut resources: Vec<CatalogResource> = Vec::new();
            let mut permissions = Catalog::builtin().permissions;
            let mut renamed: Vec<String> = Vec::new();
            for resource in &file.resources {
                let key = resource.key.get_ref();
                if RESERVED_RESOURCES.contains(&key.as_str()) {
                    self.fail(
                        &resource.key,
                        "is Portcullis's own resource: name its permissions in roles, do not declare them",
                    );
                    continue;
                }
                if !is_word(key) {
                    self.fail(&resource.key, "a resource key is a-z, digits and _, starting with a letter");
                    continue;
                }
                if resources.iter().any(|r| &r.key == key) {
                    self.fail(&resource.key, "this resource is declared twice");
                    continue;
                }
                if resource.actions.is_empty() {
                    self.fail(&resource.key, "a resource needs at least one action");
                }
                resources.push(CatalogResource {
                    key: key.clone(),
                    name: resource.name.clone(),
                    scope: resource.scope,
                });
                for action in &resource.actions {
                    let name = action.key.get_ref();
                    let full = format!("{key}:{name}");
                    if !is_word(name) {
                        self.fail(&action.key, "an action key is a-z, digits and _, starting with a letter");
                        continue;
                    }
                    if permissions.iter().any(|p| p.key == full) {
                        self.fail(&action.key, format!("{full} is declared twice"));
                        continue;
                    }
                    if action.description.trim().is_empty() {
                        self.fail(&action.key, "say what the permission allows (description)");
                    }
                    let renamed_from = action.renamed_from.as_ref().and_then(|old| {
                        let text = old.get_ref();
                        if !is_permission_key(text) {
                            self.fail(old, "renamed_from is the old `resource:action` key");
                            None
                        } else if renamed.contains(text) {
                            self.fail(old, "two permissions say they were renamed from this key");
                            None
                        } else {
                            renamed.push(text.clone());
                            Some(text.clone())
                        }
                    });
                    permissions.push(CatalogPermission {
                        key: full,
                        description: action.description.clone(),
                        scope: action.scope.unwrap_or(resource.scope),
                        renamed_from,
                        builtin: false,
                    });
                }
            }
            if permissions.len() > MAX_PERMISSIONS {
                let message = format!("{} permissions in all; at most {MAX_PERMISSIONS} fit", permissions.len());
                self.errors.push(CatalogError { line: None, key: None, message });
            }
            for (old, action) in file.resources.iter().flat_map(|r| r.actions.iter().map(move |a| (r, a))) {
                if let Some(from) = &action.renamed_from {
                    if permissions.iter().any(|p| &p.key == from.get_ref()) {
                        self.fail(
                            from,
                            format!(
                                "is still a permission of this catalog, so {}:{} cannot have replaced it",
                                old.key.get_ref(),
                                action.key.get_ref()
                            ),
                        );
                    }
                }
            }

            let mut aliases: Vec<CatalogAlias> = Vec::new();
            for alias in &file.aliases {
                let key = alias.key.get_ref();
                if !is_permission_key(key) {
                    self.fail(&alias.key, "an alias is a `resource:action` key");
                } else if permissions.iter().any(|p| &p.key == key) {
                    self.fail(&alias.key, "is a permission's own key, so it cannot be an alias");
                } else if aliases.iter().any(|a| &a.key == key) {
                    self.fail(&alias.key, "this alias is declared twice");
                } else {
                    match permissions.iter().position(|p| &p.key == alias.of.get_ref()) {
                        Some(of) => aliases.push(CatalogAlias { key: key.clone(), of }),
                        None => self.fail(&alias.of, "no permission has this key"),
                    }
                }
            }

            let mut roles: Vec<CatalogRole> = Vec::new();
            for role in &file.roles {
                let key = role.key.get_ref();
                if key == ADMIN_ROLE {
                    self.fail(&role.key, "is Portcullis's own role (every permission): leave it out");
                } else if !is_role_key(key) {
                    self.fail(&role.key, "a role key is a-z, digits, _ and -, starting with a letter or digit");
                } else if roles.iter().any(|r| &r.key == key) {
                    self.fail(&role.key, "this role is declared twice");
                } else if role.name.trim().is_empty() {
                    self.fail(&role.key, "give the role a name");
                } else {
                    let permissions = self.expand(&permissions, &role.permissions);
                    roles.push(CatalogRole {
                        key: key.clone(),
                        name: role.name.clone(),
                        description: role.description.clone(),
                        permissions,
                    });
                }
            }

            let mut token_scopes: Vec<CatalogTokenScope> = Vec::new();
            for scope in &file.token_scopes {
                let key = scope.key.get_ref();
                if key == CUSTOM_SCOPE {
                    self.fail(&scope.key, "is Portcullis's own scope (permissions the member picks): leave it out");
                } else if !is_role_key(key) {
                    self.fail(&scope.key, "a token scope key is a-z, digits, _ and -, starting with a letter or digit");
                } else if token_scopes.iter().any(|s| &s.key == key) {
                    self.fail(&scope.key, "this token scope is declared twice");
                } else {
                    let mut set = self.expand(&permissions, &scope.permissions);
                    if let Some(kind) = scope.scope {
                        set.retain(|&i| permissions[i].scope == kind);
                    }
                    let requires = scope.requires.as_ref().and_then(|needed| {
                        let found = permissions.iter().position(|p| &p.key == needed.get_ref());
                        if found.is_none() {
                            self.fail(needed, "no permission has this key");
                        }
                        found
                    });
                    token_scopes.push(CatalogTokenScope {
                        key: key.clone(),
                        name: scope.name.clone(),
                        description: scope.description.clone(),
                        permissions: set,
                        requires,
                    });
                }
            }

            Catalog {
                name: file.name.into_inner(),
                title: file.title,
                description: file.description,
                resources,
                permissions,
                roles,
                token_scopes,
                aliases,
            }
        }

        /// A role's or scope's list: keys, `resource:*`, `*:action` and `*`.
        fn expand(&mut self, permissions: &[CatalogPermission], entries: &[Spanned<String>]) -> BTreeSet<usize> {
            let mut set = BTreeSet::new();
            for entry in entries {
                let text = entry.get_ref().as_str();
                let matches: Vec<usize> = match text.split_once(':') {
                    _ if text == "*" => (0..permissions.len()).collect(),
                    Some(("*", action)) => {
                        (0..permissions.len()).filter(|&i| permissions[i].action() == action).collect()
                    }
                    Some((resource, "*")) => {
                        (0..permissions.len()).filter(|&i| permissions[i].resource() == resource).collect()
                    }
                    Some(_) => permissions.iter().position(|p| p.key == text).into_iter().collect(),
                    None => Vec::new(),
                };
                if matches.is_empty() {
                    self.fail(entry, "names no permission of this catalog (keys, `resource:*`, `*:action` or `*`)");
                }
                set.extend(matches);
            }
            set
        }
    }

    impl Catalog {
        /// The catalog as a file [`parse`] reads back to the same catalog.
        pub fn to_toml(&self) -> String {
            use std::fmt::Write as _;
            let quote = |text: &str| toml::Value::String(text.to_owned()).to_string();
            let kind = |scope: ScopeKind| match scope {
                ScopeKind::Global => "\"global\"",
                ScopeKind::Workspace => "\"workspace\"",
            };
            let list = |set: &BTreeSet<usize>| {
                set.iter().map(|&i| quote(&self.permissions[i].key)).collect::<Vec<_>>().join(", ")
            };
            let mut out = String::new();
            let _ = writeln!(
                out,
                "name = {}\ntitle = {}\ndescription = {}",
                quote(&self.name),
                quote(&self.title),
                quote(&self.description)
            );
            for resource in &self.resources {
                let _ = writeln!(
                    out,
                    "\n[[resource]]\nkey = {}\nname = {}\nscope = {}\nactions = [",
                    quote(&resource.key),
                    quote(&resource.name),
                    kind(resource.scope)
                );
                for permission in self.permissions.iter().filter(|p| !p.builtin && p.resource() == resource.key) {
                    let _ = write!(
                        out,
                        "  {{ key = {}, description = {}",
                        quote(permission.action()),
                        quote(&permission.description)
                    );
                    if permission.scope != resource.scope {
                        let _ = write!(out, ", scope = {}", kind(permission.scope));
                    }
                    if let Some(old) = &permission.renamed_from {
                        let _ = write!(out, ", renamed_from = {}", quote(old));
                    }
                    let _ = writeln!(out, " }},");
                }
                out.push_str("]\n");
            }
            for alias in &self.aliases {
                let _ = writeln!(
                    out,
                    "\n[[alias]]\nkey = {}\nof = {}",
                    quote(&alias.key),
                    quote(&self.permissions[alias.of].key)
                );
            }
            for role in &self.roles {
                let _ = writeln!(
                    out,
                    "\n[[role]]\nkey = {}\nname = {}\ndescription = {}\npermissions = [{}]",
                    quote(&role.key),
                    quote(&role.name),
                    quote(&role.description),
                    list(&role.permissions)
                );
            }
            for scope in &self.token_scopes {
                let _ = writeln!(
                    out,
                    "\n[[token_scope]]\nkey = {}\nname = {}\ndescription = {}\npermissions = [{}]",
                    quote(&scope.key),
                    quote(&scope.name),
                    quote(&scope.description),
                    list(&scope.permissions)
                );
                if let Some(needed) = scope.requires {
                    let _ = writeln!(out, "requires = {}", quote(&self.permissions[needed].key));
                }
            }
            out
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys(catalog: &Catalog, set: &BTreeSet<usize>) -> Vec<String> {
        catalog.keys(set).map(str::to_owned).collect()
    }

    #[test]
    fn every_preset_is_a_valid_catalog() {
        for (name, _, _) in PRESETS {
            let catalog = preset(name).expect("shipped").unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(catalog.name, name);
            assert!(catalog.permissions.len() > RESERVED_RESOURCES.len());
            // What `catalog show` prints reads back to the same catalog.
            assert_eq!(parse(&catalog.to_toml(), name).unwrap(), catalog, "{}", catalog.to_toml());
        }
        assert!(preset("nothing").is_none());
    }

    /// The default preset is the catalog Portcullis had built in before
    /// catalogs, unchanged: the same keys at the same bits, the same roles.
    #[test]
    fn neutree_is_the_catalog_portcullis_had_built_in() {
        let catalog = preset(DEFAULT_PRESET).unwrap().unwrap();
        let platform = [
            "endpoint:read",
            "endpoint:create",
            "endpoint:update",
            "endpoint:delete",
            "endpoint:invoke",
            "model:read",
            "model:push",
            "model:delete",
            "dataset:read",
            "dataset:write",
        ];
        let declared: Vec<&str> = catalog.permissions.iter().map(|p| p.key.as_str()).collect();
        let expected: Vec<&str> = BUILTIN.iter().map(|(k, _, _)| *k).chain(platform).collect();
        assert_eq!(declared, expected);
        assert!(catalog.permissions[BUILTIN.len()..].iter().all(|p| p.scope == ScopeKind::Workspace));
        let pick = |f: &dyn Fn(&CatalogPermission) -> bool| -> Vec<String> {
            catalog.permissions.iter().filter(|p| f(p)).map(|p| p.key.clone()).collect()
        };
        let workspace = |p: &CatalogPermission| p.scope == ScopeKind::Workspace;
        let roles: [(&str, &str, Vec<String>); 4] = [
            (
                "developer",
                "Developer",
                pick(&|p| workspace(p) && p.key != "workspace:delete" && p.key != "policy:manage"),
            ),
            ("auditor", "Auditor", pick(&|p| p.action() == "read")),
            (
                "endpoint-user",
                "Endpoint user",
                ["workspace:read", "endpoint:read", "endpoint:invoke", "model:read"].map(String::from).to_vec(),
            ),
            ("viewer", "Viewer", pick(&|p| workspace(p) && p.action() == "read")),
        ];
        assert_eq!(catalog.roles.len(), roles.len(), "admin is Portcullis's own");
        for (key, name, expected) in roles {
            let role = catalog.role(key).unwrap_or_else(|| panic!("{key} is in the preset"));
            assert_eq!((role.name.as_str(), keys(&catalog, &role.permissions)), (name, expected), "{key}");
        }
        let scopes = [("developer", pick(&workspace)), ("endpoint", vec!["endpoint:invoke".to_owned()])];
        for (key, expected) in scopes {
            let scope = catalog.token_scopes.iter().find(|s| s.key == key).unwrap();
            assert_eq!(keys(&catalog, &scope.permissions), expected, "{key}");
        }
    }

    /// What a process installs: built-in constants name the same keys in
    /// every preset, aliases parse, built-in roles come from the catalog.
    #[test]
    fn an_installed_catalog_answers_by_key_alias_and_role() {
        for (name, _, _) in PRESETS {
            let prepared = Installed::new(preset(name).unwrap().unwrap()).unwrap();
            assert_eq!(prepared.find("policy:manage"), Some(Permission::PolicyManage), "{name}");
            assert_eq!(prepared.every().len(), prepared.catalog.permissions.len());
            assert_eq!(prepared.builtin_role(ADMIN_ROLE), Some(prepared.every()));
            assert_eq!(prepared.builtin_roles().count(), prepared.catalog.roles.len() + 1);
            for alias in &prepared.catalog.aliases {
                assert_eq!(prepared.find(&alias.key).map(|p| p.index()), Some(alias.of));
            }
            let json: Catalog = serde_json::from_str(&prepared.page_json()).unwrap();
            assert_eq!(json, prepared.catalog, "{name}: the page's copy is the same catalog");
        }
        let adaptive = Installed::new(preset("adaptive").unwrap().unwrap()).unwrap();
        assert_eq!(adaptive.find("admin:manage_users"), adaptive.find("user:manage"));
        let mut broken = Catalog::builtin();
        broken.permissions.swap(0, 1);
        assert!(Installed::new(broken).is_err(), "the built-in order is fixed");
    }

    fn errors_of(source: &str) -> Vec<CatalogError> {
        parse(source, "test.toml").expect_err("refused").errors
    }

    const HEAD: &str = "name = \"t\"\ntitle = \"T\"\n";

    #[test]
    fn mistakes_name_the_file_the_line_and_the_key() {
        let source = format!(
            "{HEAD}\n[[resource]]\nkey = \"job\"\nname = \"Jobs\"\nscope = \"workspace\"\nactions = [{{ key = \"run\", description = \"Run\" }}]\n\n[[role]]\nkey = \"runner\"\nname = \"Runner\"\npermissions = [\"job:run\", \"job:fly\"]\n"
        );
        let errors = parse(&source, "my.toml").unwrap_err();
        assert_eq!(errors.errors.len(), 1);
        assert_eq!(errors.errors[0].key.as_deref(), Some("job:fly"));
        assert_eq!(errors.errors[0].line, Some(13));
        assert!(errors.to_string().starts_with("my.toml:13: `job:fly`: names no permission"), "{errors}");

        // Portcullis's own keys may not be declared or redefined.
        let reserved = format!("{HEAD}[[resource]]\nkey = \"user\"\nname = \"U\"\nscope = \"global\"\nactions = [{{ key = \"fly\", description = \"x\" }}]\n[[role]]\nkey = \"admin\"\nname = \"A\"\npermissions = []\n");
        let found: Vec<Option<String>> = errors_of(&reserved).into_iter().map(|e| e.key).collect();
        assert_eq!(found, [Some("user".to_owned()), Some("admin".to_owned())]);

        // Repeats.
        let twice = format!("{HEAD}[[resource]]\nkey = \"job\"\nname = \"J\"\nscope = \"global\"\nactions = [{{ key = \"run\", description = \"x\" }}, {{ key = \"run\", description = \"y\" }}]\n");
        let error = &errors_of(&twice)[0];
        assert_eq!((error.key.as_deref(), error.line), (Some("run"), Some(7)));
        assert!(error.message.contains("job:run is declared twice"), "{}", error.message);

        // Not TOML, or a field the schema does not have: where the parser stopped.
        let broken = errors_of(&format!("{HEAD}[[role]\n"));
        assert_eq!(broken[0].line, Some(3));
        let unknown = errors_of(&format!("{HEAD}colour = \"red\"\n"));
        assert!(unknown[0].message.contains("colour"), "{:?}", unknown);
        assert_eq!(unknown[0].line, Some(3));

        // An alias of nothing, an alias that is a real key.
        let aliases = errors_of(&format!(
            "{HEAD}[[alias]]\nkey = \"a:b\"\nof = \"c:d\"\n[[alias]]\nkey = \"user:read\"\nof = \"user:manage\"\n"
        ));
        let found: Vec<Option<String>> = aliases.into_iter().map(|e| e.key).collect();
        assert_eq!(found, [Some("c:d".to_owned()), Some("user:read".to_owned())]);
    }

    /// A catalog made of arbitrary resources and roles, as a file.
    fn any_catalog() -> impl Strategy<Value = String> {
        let word = "[a-z][a-z0-9_]{0,6}";
        let action = (word, any::<bool>()).prop_map(|(key, read)| if read { "read".to_owned() } else { key });
        let resource = (word, proptest::collection::btree_set(action, 1..5), any::<bool>());
        (
            proptest::collection::btree_map(word, resource, 1..5),
            proptest::collection::vec(proptest::collection::vec(any::<prop::sample::Index>(), 0..6), 0..4),
        )
            .prop_filter("no reserved resource", |(resources, _)| {
                resources.values().all(|(key, _, _)| !RESERVED_RESOURCES.contains(&key.as_str()))
            })
            .prop_map(|(resources, roles)| {
                let mut out = String::from(HEAD);
                let mut all: Vec<String> = Vec::new();
                let mut seen = BTreeSet::new();
                for (key, actions, global) in resources.values() {
                    if !seen.insert(key.clone()) {
                        continue;
                    }
                    let scope = if *global { "global" } else { "workspace" };
                    out += &format!(
                        "\n[[resource]]\nkey = \"{key}\"\nname = \"{key} things\"\nscope = \"{scope}\"\nactions = [\n"
                    );
                    for action in actions {
                        out += &format!("  {{ key = \"{action}\", description = \"{action} a {key}\" }},\n");
                        all.push(format!("{key}:{action}"));
                    }
                    out += "]\n";
                    all.push(format!("{key}:*"));
                }
                all.extend(["*:read".to_owned(), "user:read".to_owned(), "*".to_owned()]);
                for (n, picks) in roles.iter().enumerate() {
                    let picked: Vec<String> = picks.iter().map(|i| format!("\"{}\"", i.get(&all))).collect();
                    out += &format!(
                        "\n[[role]]\nkey = \"role-{n}\"\nname = \"Role {n}\"\npermissions = [{}]\n",
                        picked.join(", ")
                    );
                }
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn a_catalog_reads_back_from_what_it_prints(source in any_catalog()) {
            let catalog = parse(&source, "any.toml").map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(parse(&catalog.to_toml(), "again.toml").unwrap(), catalog);
        }

        #[test]
        fn wildcards_expand_to_what_they_name(source in any_catalog()) {
            let catalog = parse(&source, "any.toml").unwrap();
            for resource in &catalog.resources {
                let role = format!("{source}\n[[role]]\nkey = \"every\"\nname = \"E\"\npermissions = [\"{}:*\", \"*:read\"]\n", resource.key);
                let with = parse(&role, "r.toml").unwrap();
                let every = with.role("every").unwrap();
                for (i, permission) in with.permissions.iter().enumerate() {
                    let named = permission.resource() == resource.key || permission.action() == "read";
                    prop_assert_eq!(every.permissions.contains(&i), named, "{}", permission.key);
                }
            }
            let all = parse(&format!("{source}\n[[role]]\nkey = \"all\"\nname = \"A\"\npermissions = [\"*\"]\n"), "a.toml").unwrap();
            prop_assert_eq!(all.role("all").unwrap().permissions.len(), all.permissions.len());
        }

        #[test]
        fn an_unknown_entry_is_named_with_its_line(source in any_catalog(), missing in "nope[0-9]{1,3}:[a-z]{1,5}") {
            let bad = format!("{source}\n[[role]]\nkey = \"bad\"\nname = \"B\"\npermissions = [\"{missing}\"]\n");
            let errors = parse(&bad, "bad.toml").unwrap_err().errors;
            prop_assert_eq!(errors.len(), 1);
            prop_assert_eq!(errors[0].key.as_deref(), Some(missing.as_str()));
            let line = bad.lines().nth(errors[0].line.unwrap() - 1).unwrap();
            prop_assert!(line.contains(&missing), "{}", line);
        }
    }
}
