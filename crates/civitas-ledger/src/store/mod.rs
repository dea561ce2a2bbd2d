//! The embedded ledger: one SQLite file (WAL), appends validated and written by one
//! writer thread with group commit — every batch of concurrent appends is one
//! transaction and one fsync — and reads on their own connections.
//!
//! One concern a file, arrows pointing one way (each file uses only those above it):
//!
//! | file | what |
//! |---|---|
//! | `clock.rs` | the time source ([`Clock`]) |
//! | `schema.rs` | the SQLite schema, connection settings, the `meta` table, [`key_path`] |
//! | `state.rs` | the validator's view of the state: the index tables (DIDs, roots, accreditations, status lists) |
//! | `integrate.rs` | tree integration: an accepted entry becomes a leaf, its index rows and Merkle nodes; roots; checkpoints recorded (the writer, sync and audit all go through it) |
//! | `evidence.rs` | evidence of a source's misbehaviour, kept by replicas |
//! | `writer.rs` | the group-commit writer thread: one batch = one transaction, one fsync, one signed checkpoint |
//! | `ledger.rs` | [`SqliteLedger`]: creating and opening the file, the read pool, [`crate::LedgerWriter`] |
//! | `reader.rs` | [`crate::LedgerReader`] for [`SqliteLedger`] |
//! | `audit.rs` | [`SqliteLedger::audit`]: replay and re-validate the whole log |

mod audit;
mod clock;
pub(crate) mod evidence;
pub(crate) mod integrate;
mod ledger;
mod reader;
mod schema;
mod state;
mod writer;

pub use audit::AuditReport;
pub use clock::{Clock, system_clock};
pub use integrate::checkpoint_time;
pub use ledger::SqliteLedger;
pub use reader::MAX_ENTRIES_PER_READ;
pub use schema::key_path;
pub use writer::WriterStats;
