//! The time source every store operation takes its "now" from.

use std::sync::Arc;

/// Time source (Unix seconds): passed in, so tests are deterministic.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| chrono::Utc::now().timestamp())
}
