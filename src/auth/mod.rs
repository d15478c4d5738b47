//! Who may log in, independent of the REST API that uses it (and the dashboard that will):
//! password hashing and its one strength rule, login tokens, and the guard that bounds password
//! checks and locks out repeated failures.

pub mod login_guard;
pub mod passwords;
pub mod tokens;
