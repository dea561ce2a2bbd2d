#![doc = include_str!("../README.md")]

pub mod openid4vci;
pub mod openid4vp;
pub mod qr;
