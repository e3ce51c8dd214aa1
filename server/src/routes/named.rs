//! The bodies of the two named things, workspaces and teams: a key (on
//! create), a name and a description.

use serde::Deserialize;

use app::server::services::fields::NamedInput;

/// An edit of a workspace or a team: its name and description (the key stays).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NamedBody {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: Option<String>,
    description: Option<String>,
}

/// A new workspace or team.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewNamedBody {
    #[schema(pattern = "^[a-z0-9][a-z0-9_-]{0,62}$")]
    key: String,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    name: String,
    #[serde(default)]
    description: Option<String>,
}

impl From<NewNamedBody> for NamedInput {
    fn from(body: NewNamedBody) -> Self {
        Self { key: Some(body.key), name: Some(body.name), description: body.description, expected: Default::default() }
    }
}

// Workspaces and teams take the same input.
impl From<NamedBody> for app::server::services::fields::NamedInput {
    fn from(body: NamedBody) -> Self {
        Self { key: None, name: body.name, description: body.description, expected: Default::default() }
    }
}

/// The REST surface of a named thing, written once: list, create, get,
/// update and delete over its service module. A use gives what differs:
/// the names of the handlers, the paths, the tag and the document's words.
macro_rules! named_resource {
    (
        service: $service:ident, view: $view:ident, tag: $tag:tt,
        list: ($list:ident, $list_path:tt, $list_doc:tt, $list_answer:tt),
        create: ($create:ident, $create_doc:tt),
        get: ($get:ident, $item_path:tt, $get_doc:tt),
        update: ($update:ident, $update_doc:tt),
        delete: ($delete:ident, $delete_doc:tt, $($delete_answers:tt)*)
    ) => {
        #[doc = $list_doc]
        #[utoipa::path(get, path = $list_path, tag = $tag, params(("q" = Option<String>, Query, description = "Only those whose key or name contains this"), ("sort" = Option<String>, Query, pattern = "^(key|name)?$", description = "key (the default) or name"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 50)"), ("cursor" = Option<String>, Query)), responses((status = 200, description = $list_answer, body = Page<$view>)))]
        pub async fn $list(
            State(state): State<AppState>,
            SignedIn(actor): SignedIn,
            ApiQuery(params): ApiQuery<ListParams>,
        ) -> Result<Json<Page<$view>>, AppError> {
            Ok(Json($service::list(&state, &actor, &params.read(DEFAULT_LIMIT)?).await?))
        }

        #[doc = $create_doc]
        #[utoipa::path(post, path = $list_path, tag = $tag, request_body = NewNamedBody, responses((status = 201, body = app::server::written::Revised<$view>), (status = 409, body = ErrorBody)))]
        pub async fn $create(
            State(state): State<AppState>,
            SignedIn(actor): SignedIn,
            ApiJson(body): ApiJson<NewNamedBody>,
        ) -> Result<(StatusCode, Written<$view>), AppError> {
            Ok((StatusCode::CREATED, $service::create(&state, &actor, body.into()).await?))
        }

        #[doc = $get_doc]
        #[utoipa::path(get, path = $item_path, tag = $tag, params(("key" = String, Path)), responses((status = 200, body = $view, headers(("ETag" = String, description = "The version, for If-Match")))))]
        pub async fn $get(
            State(state): State<AppState>,
            SignedIn(actor): SignedIn,
            ApiPath(key): ApiPath<String>,
        ) -> Result<Tagged<Json<$view>>, AppError> {
            let found = $service::get(&state, &actor, &key).await?;
            Ok(Tagged(found.version, Json(found)))
        }

        #[doc = $update_doc]
        #[utoipa::path(patch, path = $item_path, tag = $tag, params(("key" = String, Path)), request_body = NamedBody, responses((status = 200, body = app::server::written::Revised<$view>, headers(("ETag" = String, description = "The version, for If-Match")))))]
        pub async fn $update(
            State(state): State<AppState>,
            SignedIn(actor): SignedIn,
            ApiPath(key): ApiPath<String>,
            IfMatch(expected): IfMatch,
            ApiJson(body): ApiJson<NamedBody>,
        ) -> Result<Tagged<Written<$view>>, AppError> {
            let input = app::server::services::fields::NamedInput { expected, ..body.into() };
            let updated = $service::update(&state, &actor, &key, input).await?;
            Ok(Tagged(updated.value.version, updated))
        }

        #[doc = $delete_doc]
        #[utoipa::path(delete, path = $item_path, tag = $tag, params(("key" = String, Path)), responses($($delete_answers)*))]
        pub async fn $delete(
            State(state): State<AppState>,
            SignedIn(actor): SignedIn,
            ApiPath(key): ApiPath<String>,
            IfMatch(expected): IfMatch,
        ) -> Result<Written<()>, AppError> {
            $service::delete(&state, &actor, &key, &expected).await
        }
    };
}

pub(crate) use named_resource;
