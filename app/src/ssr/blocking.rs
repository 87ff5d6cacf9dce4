//! CPU-heavy work (compressing or unpacking an archive, rendering a whole draft) runs on tokio's blocking
//! pool, so a large upload never stalls the async workers answering everyone else's requests.

use crate::error::AppError;
use crate::ssr::error::internal;

/// Runs `work` off the async runtime and waits for it; a panic in it is logged under `what` and answered
/// as an internal error.
pub async fn off_the_runtime<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| internal(what, e))
}
