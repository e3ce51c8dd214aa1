//! The same questions asked of Portcullis's index, of AWS's `cedar-policy`
//! and of `casbin`, each built from the same data set as the `authz` bench
//! (100,000 users, 2,000 teams, 1,000 workspaces, 1,000,000 policies).
//!
//! `cargo bench -p app --features compare --bench compare`. The two other
//! engines are optional dependencies behind the `compare` feature, so no
//! normal build or test compiles them.
//!
//! How the data is expressed in each (so that one rule holds everywhere:
//! active user; policy on the user or one of their teams; global policies
//! confer every permission of their role; workspace policies confer only the
//! role's workspace-kind permissions, in that workspace):
//! - Cedar: each (role, scope) pair that some policy binds is a `Grant`
//!   entity; users and teams are members (parents) of their grants, users of
//!   their teams. Per role, one `permit` for its global grants and one for
//!   workspace grants (`principal in resource[role]`, each `Workspace`
//!   entity pointing at its grant per role), and one `forbid` unless the
//!   principal is active: 51 policies, the million bindings in the entity
//!   hierarchy (Cedar's transitive closure is computed at load).
//! - casbin: RBAC, `g` links user → team and user/team → `role@scope`; `p`
//!   rules role → permission with its scope kind; the matcher asks
//!   `g(user, role@global)` or, for a workspace permission,
//!   `g(user, role@workspace)`. Disabled users get no links. (casbin's own
//!   domains would need every team membership copied into every domain:
//!   9 M links at this size.)

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet},
    str::FromStr,
    time::Instant,
};

use casbin::{prelude::*, DefaultModel, MemoryAdapter};
use cedar_policy::{Authorizer, Context, Entities, Entity, EntityUid, PolicySet, Request, RestrictedExpression};

mod common;

use app::authz::{AccessIndex, Facts};
use app::domain::{PermissionSet, RoleKey, Scope, ScopeKind, Subject, UserId};
use common::{generate, questions, Question};

fn uid(kind: &str, id: &str) -> EntityUid {
    EntityUid::from_str(&format!("{kind}::{id:?}")).expect("entity uid")
}

fn scope_name(scope: &Scope) -> String {
    scope.workspace().map_or_else(|| "global".to_owned(), |w| w.to_string())
}

fn grant_uid(role: &RoleKey, scope: &Scope) -> EntityUid {
    uid("Grant", &format!("{role}@{}", scope_name(scope)))
}

struct Cedar {
    policies: PolicySet,
    entities: Entities,
    authorizer: Authorizer,
}

impl Cedar {
    fn build(facts: &Facts) -> Self {
        let mut text = String::from("forbid(principal is User, action, resource) unless { principal.active };\n");
        for (role, permissions) in &facts.roles {
            let actions = |set: PermissionSet| {
                set.iter().map(|p| format!("Action::\"{}\"", p.key())).collect::<Vec<_>>().join(", ")
            };
            if !permissions.is_empty() {
                text += &format!(
                    "permit(principal in Grant::\"{role}@global\", action in [{}], resource);\n",
                    actions(*permissions)
                );
            }
            let in_workspace = permissions.intersection(PermissionSet::of_scope(ScopeKind::Workspace));
            if !in_workspace.is_empty() {
                text += &format!(
                    "permit(principal, action in [{}], resource is Workspace) \
                     when {{ resource has \"{role}\" && principal in resource[\"{role}\"] }};\n",
                    actions(in_workspace)
                );
            }
        }
        let policies = PolicySet::from_str(&text).expect("cedar policies parse");

        let mut parents: HashMap<String, HashSet<EntityUid>> = HashMap::new();
        let mut workspace_grants: BTreeMap<String, BTreeSet<RoleKey>> = BTreeMap::new();
        for policy in &facts.policies {
            let holder = match &policy.subject {
                Subject::User(user) => format!("User:{user}"),
                Subject::Team(team) => format!("Team:{team}"),
            };
            parents.entry(holder).or_default().insert(grant_uid(&policy.role, &policy.scope));
            if let Some(ws) = policy.scope.workspace() {
                workspace_grants.entry(ws.to_string()).or_default().insert(policy.role.clone());
            }
        }
        for (team, user) in &facts.memberships {
            parents.entry(format!("User:{user}")).or_default().insert(uid("Team", team.as_str()));
        }
        let mut entities = Vec::new();
        let mut grants = HashSet::new();
        for set in parents.values() {
            grants.extend(set.iter().filter(|p| p.type_name().to_string() == "Grant").cloned());
        }
        entities.extend(grants.into_iter().map(|g| Entity::new_no_attrs(g, HashSet::new())));
        for (user, active) in &facts.users {
            let attrs = HashMap::from([("active".to_owned(), RestrictedExpression::new_bool(*active))]);
            let ps = parents.remove(&format!("User:{user}")).unwrap_or_default();
            entities.push(Entity::new(uid("User", &user.to_string()), attrs, ps).expect("user entity"));
        }
        let teams: BTreeSet<&str> = facts.memberships.iter().map(|(t, _)| t.as_str()).collect();
        for team in teams {
            let ps = parents.remove(&format!("Team:{team}")).unwrap_or_default();
            entities.push(Entity::new_no_attrs(uid("Team", team), ps));
        }
        for (key, roles) in &workspace_grants {
            let attrs = roles
                .iter()
                .map(|role| {
                    let target = grant_uid(role, &Scope::Workspace(app::domain::WorkspaceKey::parse(key).unwrap()));
                    (role.to_string(), RestrictedExpression::new_entity_uid(target))
                })
                .collect();
            entities.push(Entity::new(uid("Workspace", key), attrs, HashSet::new()).expect("workspace entity"));
        }
        entities.push(Entity::new_no_attrs(uid("Platform", "global"), HashSet::new()));
        let entities = Entities::from_entities(entities, None).expect("cedar entities");
        Self { policies, entities, authorizer: Authorizer::new() }
    }

    fn request((user, permission, workspace): &Question) -> Request {
        let resource = match workspace {
            Some(ws) => uid("Workspace", ws),
            None => uid("Platform", "global"),
        };
        Request::new(uid("User", &user.to_string()), uid("Action", permission.key()), resource, Context::empty(), None)
            .expect("cedar request")
    }

    fn allowed(&self, request: &Request) -> bool {
        self.authorizer.is_authorized(request, &self.policies, &self.entities).decision()
            == cedar_policy::Decision::Allow
    }
}

const CASBIN_MODEL: &str = r#"
[request_definition]
r = sub, dom, act

[policy_definition]
p = sub, act, kind

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && (g(r.sub, p.sub + "@global") || (p.kind == "workspace" && r.dom != "global" && g(r.sub, p.sub + "@" + r.dom)))
"#;

fn casbin_build(facts: &Facts) -> Enforcer {
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    runtime.block_on(async {
        let model = DefaultModel::from_str(CASBIN_MODEL).await.expect("casbin model");
        let mut enforcer = Enforcer::new(model, MemoryAdapter::default()).await.expect("casbin enforcer");
        let rules: Vec<Vec<String>> = facts
            .roles
            .iter()
            .flat_map(|(role, permissions)| {
                permissions.iter().map(move |p| {
                    let kind = if p.scope() == ScopeKind::Workspace { "workspace" } else { "global" };
                    vec![role.to_string(), p.key().to_owned(), kind.to_owned()]
                })
            })
            .collect();
        enforcer.add_policies(rules).await.expect("casbin rules");
        let active: HashSet<UserId> = facts.users.iter().filter(|(_, a)| *a).map(|(u, _)| *u).collect();
        let mut links: Vec<Vec<String>> = Vec::new();
        for (team, user) in &facts.memberships {
            if active.contains(user) {
                links.push(vec![user.to_string(), team.to_string()]);
            }
        }
        for policy in &facts.policies {
            let holder = match &policy.subject {
                Subject::User(user) if active.contains(user) => user.to_string(),
                Subject::User(_) => continue,
                Subject::Team(team) => team.to_string(),
            };
            links.push(vec![holder, format!("{}@{}", policy.role, scope_name(&policy.scope))]);
        }
        links.sort();
        links.dedup();
        enforcer.add_grouping_policies(links).await.expect("casbin links");
        enforcer
    })
}

fn casbin_allowed(enforcer: &Enforcer, (user, permission, workspace): &(String, &'static str, String)) -> bool {
    enforcer.enforce((user.as_str(), workspace.as_str(), *permission)).expect("casbin enforce")
}

/// Median over `passes` runs of the mean time per question, in ns.
fn time_per_question<Q>(questions: &[Q], passes: usize, mut ask: impl FnMut(&Q) -> bool, expected: bool) -> f64 {
    let mut runs: Vec<f64> = (0..passes)
        .map(|_| {
            let started = Instant::now();
            for q in questions {
                assert_eq!(std::hint::black_box(ask(q)), expected);
            }
            started.elapsed().as_nanos() as f64 / questions.len() as f64
        })
        .collect();
    runs.sort_by(|a, b| a.total_cmp(b));
    runs[runs.len() / 2]
}

fn main() {
    let facts = generate();
    let started = Instant::now();
    let index = AccessIndex::build(&facts);
    println!("portcullis index built in {:.2} s", started.elapsed().as_secs_f64());
    let (allowed, denied) = questions(&facts, &index, 10_000);

    let started = Instant::now();
    let cedar = Cedar::build(&facts);
    println!("cedar entities and policies built in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let casbin = casbin_build(&facts);
    println!("casbin enforcer built in {:.1} s", started.elapsed().as_secs_f64());

    // Every engine must give the same answers before any is timed.
    let sample: Vec<&Question> = allowed.iter().take(1_000).chain(denied.iter().take(1_000)).collect();
    let casbin_question =
        |(u, p, ws): &Question| (u.to_string(), p.key(), ws.clone().unwrap_or_else(|| "global".to_owned()));
    for q in &sample {
        let expected = index.check(&q.0, q.1, q.2.as_deref());
        assert_eq!(cedar.allowed(&Cedar::request(q)), expected, "cedar disagrees on {q:?}");
        assert_eq!(casbin_allowed(&casbin, &casbin_question(q)), expected, "casbin disagrees on {q:?}");
    }
    println!("all three engines agree on {} questions", sample.len());

    let mut rows = Vec::new();
    for (label, questions, expected) in [("allowed", &allowed, true), ("denied", &denied, false)] {
        let ours = time_per_question(questions, 9, |(u, p, ws)| index.check(u, *p, ws.as_deref()), expected);
        let requests: Vec<Request> = questions.iter().take(2_000).map(Cedar::request).collect();
        let cedar_ns = time_per_question(&requests, 5, |r| cedar.allowed(r), expected);
        let casbin_questions: Vec<_> = questions.iter().take(200).map(casbin_question).collect();
        let casbin_ns = time_per_question(&casbin_questions, 3, |q| casbin_allowed(&casbin, q), expected);
        rows.push((label, ours, cedar_ns, casbin_ns));
    }
    println!("\n| check | portcullis | cedar-policy | casbin | cedar / portcullis | casbin / portcullis |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (label, ours, cedar_ns, casbin_ns) in rows {
        println!(
            "| {label} | {ours:.0} ns | {:.1} µs | {:.1} µs | {:.0}× | {:.0}× |",
            cedar_ns / 1000.0,
            casbin_ns / 1000.0,
            cedar_ns / ours,
            casbin_ns / ours
        );
    }
}
