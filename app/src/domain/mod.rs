//! Plain types and business rules of Veza. No I/O here: everything is unit-tested and shared by the
//! server and the browser (the same validation runs on both sides).

pub mod bulk;
pub mod catalog;
pub mod competition;
pub mod dedup;
pub mod find;
pub mod identity;
pub mod ids;
pub mod imports;
pub mod marketing;
pub mod money;
pub mod net;
pub mod normalize;
pub mod quick_campaign;
pub mod records;
pub mod reports;
pub mod sales;
pub mod text;
/// Server only: codes are made and checked where the secrets are kept.
#[cfg(feature = "ssr")]
pub mod totp;
pub mod validate;

pub use catalog::*;
pub use competition::*;
pub use records::*;
pub use sales::*;
