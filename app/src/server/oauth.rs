//! Sign-in with GitHub and Google: the OAuth 2.0 authorization-code flow
//! with PKCE and a random `state` kept in the browser session, then the
//! provider's API for a verified email (GitHub: `/user` and `/user/emails`;
//! Google: the OpenID Connect userinfo endpoint).

use oauth2::{
    basic::BasicClient, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::{
    error::AppError,
    server::{config::OAuthProvider, http::internal_error, AppState},
};

/// The providers Portcullis knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Github,
    Google,
}

impl Provider {
    /// From the URL segment (`github`, `google`).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "github" => Some(Self::Github),
            "google" => Some(Self::Google),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Github => "github",
            Self::Google => "google",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Github => "GitHub",
            Self::Google => "Google",
        }
    }

    fn config(self, state: &AppState) -> Option<&OAuthProvider> {
        match self {
            Self::Github => state.config.github.as_ref(),
            Self::Google => state.config.google.as_ref(),
        }
    }

    fn scopes(self) -> &'static [&'static str] {
        match self {
            Self::Github => &["read:user", "user:email"],
            Self::Google => &["openid", "email", "profile"],
        }
    }
}

/// The configured providers, for the sign-in buttons.
pub fn configured(state: &AppState) -> Vec<Provider> {
    [Provider::Github, Provider::Google].into_iter().filter(|p| p.config(state).is_some()).collect()
}

/// What the session remembers between the redirect out and the callback.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub provider: Provider,
    pub state: String,
    pub verifier: String,
    /// The invitation being accepted, if any.
    pub invite: Option<String>,
    /// Where to go afterwards.
    pub next: String,
    /// Linking to the signed-in user (from My account), not signing in.
    #[serde(default)]
    pub link: bool,
}

/// The session key of [`PendingSignIn`].
pub const PENDING_KEY: &str = "oauth.pending";

/// A person as the provider vouches for them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedIdentity {
    pub provider: Provider,
    /// The provider's stable id of the account.
    pub subject: String,
    /// A verified email (unverified ones are refused before this exists).
    pub email: String,
    pub name: Option<String>,
}

fn redirect_url(state: &AppState, provider: Provider) -> String {
    format!("{}/auth/{}/callback", state.config.base_url, provider.as_str())
}

fn not_configured(provider: Provider) -> AppError {
    AppError::not_found(format!("sign-in with {} (it is not configured)", provider.label()))
}

fn bad_url(what: &str, error: impl std::fmt::Display) -> AppError {
    internal_error("oauth configuration", format!("{what}: {error}"))
}

/// The provider's authorization URL, and what the session must remember.
pub fn start(
    state: &AppState,
    provider: Provider,
    invite: Option<String>,
    next: String,
    link: bool,
) -> Result<(String, PendingSignIn), AppError> {
    let config = provider.config(state).ok_or_else(|| not_configured(provider))?;
    let client = BasicClient::new(ClientId::new(config.client_id.clone()))
        .set_auth_uri(AuthUrl::new(config.authorize_url.clone()).map_err(|e| bad_url("authorize_url", e))?)
        .set_redirect_uri(RedirectUrl::new(redirect_url(state, provider)).map_err(|e| bad_url("redirect", e))?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(CsrfToken::new_random).set_pkce_challenge(challenge);
    for scope in provider.scopes() {
        request = request.add_scope(Scope::new((*scope).to_owned()));
    }
    let (url, csrf) = request.url();
    let pending = PendingSignIn {
        provider,
        state: csrf.secret().clone(),
        verifier: verifier.secret().clone(),
        invite,
        next,
        link,
    };
    Ok((url.to_string(), pending))
}

/// A refused callback: the sign-in page shows the message.
fn refused(message: impl Into<String>) -> AppError {
    AppError::forbidden("oauth_refused", message)
}

fn http_client() -> Result<reqwest::Client, AppError> {
    reqwest::Client::builder()
        // The token endpoint must answer, not redirect (SSRF safety, RFC 6749).
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .user_agent("Portcullis")
        .build()
        .map_err(|e| internal_error("oauth http client", e))
}

/// Checks the callback against the session's pending sign-in, trades the
/// code for a token (with the PKCE verifier) and asks the provider who this
/// is. Any mismatch is refused.
pub async fn finish(
    state: &AppState,
    provider: Provider,
    pending: Option<PendingSignIn>,
    code: Option<&str>,
    returned_state: Option<&str>,
    provider_error: Option<&str>,
) -> Result<VerifiedIdentity, AppError> {
    let config = provider.config(state).ok_or_else(|| not_configured(provider))?;
    if let Some(error) = provider_error {
        return Err(refused(format!("{} did not sign you in ({error})", provider.label())));
    }
    let pending =
        pending.ok_or_else(|| refused("this sign-in was not started here, or has already been used: try again"))?;
    let returned_state = returned_state.ok_or_else(|| refused("the provider's answer carries no state: try again"))?;
    if pending.provider != provider || !bool::from(pending.state.as_bytes().ct_eq(returned_state.as_bytes())) {
        return Err(refused("the sign-in state does not match this browser: try again"));
    }
    let code = code.filter(|c| !c.is_empty()).ok_or_else(|| refused("the provider's answer carries no code"))?;
    let client = BasicClient::new(ClientId::new(config.client_id.clone()))
        .set_client_secret(ClientSecret::new(config.client_secret.expose_secret().to_owned()))
        .set_token_uri(TokenUrl::new(config.token_url.clone()).map_err(|e| bad_url("token_url", e))?)
        .set_redirect_uri(RedirectUrl::new(redirect_url(state, provider)).map_err(|e| bad_url("redirect", e))?);
    let http = http_client()?;
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(&http)
        .await
        .map_err(|e| refused(format!("{} refused the sign-in code: {e}", provider.label())))?;
    let access_token = token.access_token().secret();
    match provider {
        Provider::Github => github_identity(&http, &config.api_url, access_token).await,
        Provider::Google => google_identity(&http, &config.api_url, access_token).await,
    }
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    provider: Provider,
) -> Result<T, AppError> {
    let response = http
        .get(url)
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| refused(format!("{} could not be reached: {e}", provider.label())))?;
    if !response.status().is_success() {
        return Err(refused(format!("{} answered {} for {url}", provider.label(), response.status())));
    }
    response.json().await.map_err(|e| refused(format!("{} sent an unreadable answer: {e}", provider.label())))
}

#[derive(Deserialize)]
struct GithubUser {
    id: u64,
    login: String,
    name: Option<String>,
}

#[derive(Deserialize)]
struct GithubEmail {
    email: String,
    primary: bool,
    verified: bool,
}

async fn github_identity(http: &reqwest::Client, api: &str, token: &str) -> Result<VerifiedIdentity, AppError> {
    let user: GithubUser = get_json(http, &format!("{api}/user"), token, Provider::Github).await?;
    let emails: Vec<GithubEmail> = get_json(http, &format!("{api}/user/emails"), token, Provider::Github).await?;
    let email = emails.into_iter().find(|e| e.primary && e.verified).ok_or_else(|| {
        refused("your GitHub account has no verified primary email: verify it on GitHub, then try again")
    })?;
    Ok(VerifiedIdentity {
        provider: Provider::Github,
        subject: user.id.to_string(),
        email: email.email,
        name: user.name.filter(|n| !n.trim().is_empty()).or(Some(user.login)),
    })
}

#[derive(Deserialize)]
struct GoogleUserInfo {
    sub: String,
    email: Option<String>,
    #[serde(default)]
    email_verified: bool,
    name: Option<String>,
}

async fn google_identity(http: &reqwest::Client, userinfo: &str, token: &str) -> Result<VerifiedIdentity, AppError> {
    let info: GoogleUserInfo = get_json(http, userinfo, token, Provider::Google).await?;
    let email = info
        .email
        .filter(|_| info.email_verified)
        .ok_or_else(|| refused("your Google account's email is not verified"))?;
    Ok(VerifiedIdentity { provider: Provider::Google, subject: info.sub, email, name: info.name })
}
