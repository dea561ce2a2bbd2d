//! The app's end-to-end test lives in `tests/app.rs`; this library is empty. See
//! `README.md` in this directory.
