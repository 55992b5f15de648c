//! (ssr) The opening every server function shares: the caller must hold a role (401 or 403
//! otherwise), the services come from the request's context, and whatever error the body
//! returns answers with its own status (422, 404, 409, 503 …), never a bare 500.

use std::future::Future;

use super::auth::{require, Principal, Role};
use super::error::{with_status, ApiError};
use super::ports::{services, Services};

/// Runs a server function's `body` for a caller holding `role`.
pub async fn run<T, Fut>(
    role: Role,
    body: impl FnOnce(Services, Principal) -> Fut,
) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<T, ApiError>>,
{
    let me = require(role)?;
    let svc = with_status(services())?;
    with_status(body(svc, me).await)
}
