//! Jixiao's web application (网页应用): the REST API of DESIGN.md §3, Chinese-first HTML pages,
//! login and sessions, roles and the workflow 草稿 → 已提交 → 已退回 / 已审核 → 已抽查.
//!
//! Only this crate knows HTTP. It keeps no state of its own: users, sessions, forms and the
//! login throttle live in the [`jixiao_store::Store`], so several processes on one PostgreSQL
//! behave as one. Every form is scored and reviewed by `jixiao_core::assess`, the engine the
//! CLI uses.
#![forbid(unsafe_code)]

pub mod access;
pub mod admin;
pub mod api;
pub mod demo;
pub mod derived;
pub mod editor;
pub mod error;
pub mod import;
pub mod pages;
pub mod repr;
pub mod security;
pub mod session;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use jixiao_core::Profile;
use jixiao_store::{Store, User};
use std::sync::Arc;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// Settings of one server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// The largest request body accepted (imports included).
    pub max_body_bytes: usize,
    /// How long a session lives, in minutes.
    pub session_minutes: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            max_body_bytes: 8 * 1024 * 1024,
            session_minutes: 8 * 60,
        }
    }
}

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub profile: Arc<Profile>,
    /// [`derived::profile_key`] of `profile`: which stored verdicts are current.
    pub profile_key: Arc<str>,
    pub config: Arc<Config>,
    pub hints: Arc<SessionHints>,
}

/// Which user each session had when this process last served its list: a guess that lets the
/// list page read its session and its forms in one statement (the list's filter depends on the
/// user, who is known only once the session is read). The guess is checked against the user
/// read in that same statement, and a wrong or missing one costs only the usual second query:
/// nothing is decided on it, processes need not share it, and a role change or 停用 shows on
/// the very next request.
#[derive(Debug, Default)]
pub struct SessionHints {
    users: std::sync::Mutex<std::collections::HashMap<tower_sessions::session::Id, User>>,
}

impl SessionHints {
    /// Past this many sessions the guesses are dropped (and relearnt), to bound the memory.
    const MAX: usize = 10_000;

    pub fn get(&self, session: &tower_sessions::session::Id) -> Option<User> {
        self.users.lock().ok()?.get(session).cloned()
    }

    pub fn set(&self, session: tower_sessions::session::Id, user: &User) {
        let Ok(mut users) = self.users.lock() else {
            return;
        };
        if users.get(&session) == Some(user) {
            return;
        }
        if users.len() >= Self::MAX {
            users.clear();
        }
        users.insert(session, user.clone());
    }
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, profile: Profile, config: Config) -> Self {
        AppState {
            store,
            profile_key: derived::profile_key(&profile).into(),
            profile: Arc::new(profile),
            config: Arc::new(config),
            hints: Arc::default(),
        }
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(session::DbSessions::new(state.store.clone()))
        .with_name("jixiao_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(
            state.config.session_minutes,
        )));
    let api = Router::new()
        .route("/login", post(api::login))
        .route("/logout", post(api::logout))
        .route("/me", get(api::me))
        .route("/password", post(api::change_password))
        .route("/evaluations", get(api::list).post(api::create))
        .route("/evaluations/{id}", get(api::get).put(api::update))
        .route("/evaluations/{id}/submit", post(api::submit))
        .route("/evaluations/{id}/return", post(api::return_))
        .route("/evaluations/{id}/approve", post(api::approve))
        .route("/evaluations/{id}/spot-check", post(api::spot_check))
        .route("/evaluations/{id}/comments", post(api::comment))
        .route("/evaluations/{id}/history", get(api::history))
        .route("/dashboard", get(api::dashboard))
        .route("/users", get(api::users).post(api::create_user))
        .route("/users/{id}", put(admin::api_update_user))
        .route("/users/{id}/password", post(admin::api_reset_password))
        .route("/orgs", get(api::orgs).post(api::create_org))
        .route("/openapi.json", get(api::openapi))
        .fallback(api::not_found);
    let max_body = state.config.max_body_bytes;
    Router::new()
        .nest("/api", api)
        .merge(pages::routes())
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(security::guard))
        .layer(axum::Extension(security::FormLimit(max_body)))
        .layer(sessions)
        .layer(axum::middleware::from_fn(security::headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serve until `shutdown` resolves, then finish the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Verdicts missing or computed under another profile are brought up to date once, before
    // serving, so that lists, filters and the dashboard are complete.
    match derived::backfill(state.store.as_ref(), &state.profile).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(forms = n, "stored verdicts brought up to date"),
        Err(e) => tracing::warn!(error = %e, "stored verdicts not brought up to date"),
    }
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
