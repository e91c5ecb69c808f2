//! The username audit: where users come from and the report made of them.

pub mod report;
pub mod sources;
pub mod users_csv;
