//! Server function of the in-app user guide (`/help`).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A page of the user guide, rendered from `docs/guide/` on the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GuidePage {
    pub title: String,
    pub html: String,
}

/// The guide page `page` ("" for the contents); an unknown name is NotFound.
#[server]
pub async fn get_guide_page(page: String) -> Result<GuidePage, AppError> {
    let (title, html) = crate::services::guide::page(&page)?;
    Ok(GuidePage { title, html })
}
