//! `GET /healthz`: whether this server reaches its database, and the schema version it runs.

use app::api::ctx::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

async fn healthz(State(state): State<AppState>) -> Response {
    match app::db::migrate::schema_version(&state.db).await {
        Ok(v) => Json(serde_json::json!({"status": "ok", "database": state.db.backend.name(), "schema_version": v})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({"status": "unavailable", "database": state.db.backend.name()})))
                .into_response()
        }
    }
}
