//! Randomness as an input: the OS generator for production, a seeded one for tests.

use crate::{Error, Result};
use std::sync::Mutex;

/// A source of cryptographically secure random bytes.
///
/// Everything in Civitas that needs randomness (keys, salts, nonces) takes one, so that
/// tests can be deterministic.
pub trait Rng: Send + Sync {
    /// Fills `dest` with random bytes.
    fn fill(&self, dest: &mut [u8]) -> Result<()>;

    /// Returns `N` random bytes.
    fn bytes<const N: usize>(&self) -> Result<[u8; N]>
    where
        Self: Sized,
    {
        let mut out = [0u8; N];
        self.fill(&mut out)?;
        Ok(out)
    }
}

/// The operating system's generator, through ring.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemRng;

impl Rng for SystemRng {
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        use ring::rand::SecureRandom;
        ring::rand::SystemRandom::new()
            .fill(dest)
            .map_err(|_| Error::Rng)
    }
}

/// A deterministic generator for tests: SHA-256 in counter mode over a seed.
/// Never use it for real keys.
#[derive(Debug)]
pub struct SeededRng {
    state: Mutex<([u8; 32], u64)>,
}

impl SeededRng {
    /// A generator whose whole output is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, &seed.to_be_bytes());
        let mut key = [0u8; 32];
        key.copy_from_slice(digest.as_ref());
        SeededRng {
            state: Mutex::new((key, 0)),
        }
    }
}

impl Rng for SeededRng {
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        let mut guard = self.state.lock().map_err(|_| Error::Rng)?;
        for chunk in dest.chunks_mut(32) {
            let (key, counter) = &mut *guard;
            let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
            ctx.update(key);
            ctx.update(&counter.to_be_bytes());
            *counter += 1;
            let block = ctx.finish();
            chunk.copy_from_slice(&block.as_ref()[..chunk.len()]);
        }
        Ok(())
    }
}

impl<R: Rng + ?Sized> Rng for &R {
    fn fill(&self, dest: &mut [u8]) -> Result<()> {
        (**self).fill(dest)
    }
}
