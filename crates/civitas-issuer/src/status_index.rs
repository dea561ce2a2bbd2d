//! Where a credential's entry sits in the status list: a keyed permutation of the
//! list's positions.
//!
//! The store hands out positions in order (0, 1, 2…: one counter in SQLite, safe across
//! the server and the back office), and the index written into the credential is the
//! position's image under a secret permutation of `0..size`. Indices are therefore
//! distinct (a permutation), and to anyone without the issuer's key they look drawn at
//! random from the whole list: two credentials issued one after the other — two
//! one-time copies of the same citizen's PID, or two citizens at the same desk — sit in
//! unrelated places, so a counter cannot link them by neighbouring indices.
//!
//! The permutation is a four-round Feistel network over the smallest even number of
//! bits that covers `size`, with HMAC-SHA-256 (ring) as the round function, and cycle
//! walking to stay below `size` (fewer than four steps on average, since `size` is more
//! than a quarter of the network's domain). Written here because no maintained crate
//! offers a format-preserving permutation over an arbitrary range; it is twenty lines.

use ring::hmac;

/// A secret permutation of `0..size`.
pub(crate) struct Permutation {
    key: hmac::Key,
    size: u64,
    half_bits: u32,
}

impl std::fmt::Debug for Permutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Permutation")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

const ROUNDS: u8 = 4;

impl Permutation {
    /// The permutation of `0..size` under `secret` (`size` ≥ 1, < 2^62).
    pub(crate) fn new(secret: &[u8], size: u64) -> Option<Self> {
        if size == 0 || size >= 1 << 62 {
            return None;
        }
        let bits = 64 - (size - 1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        Some(Permutation {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            size,
            half_bits,
        })
    }

    fn round(&self, round: u8, half: u64) -> u64 {
        let mut input = [0u8; 9];
        input[0] = round;
        input[1..].copy_from_slice(&half.to_be_bytes());
        let tag = hmac::sign(&self.key, &input);
        let mut word = [0u8; 8];
        word.copy_from_slice(&tag.as_ref()[..8]);
        u64::from_be_bytes(word) & self.mask()
    }

    fn mask(&self) -> u64 {
        (1u64 << self.half_bits) - 1
    }

    fn network(&self, x: u64) -> u64 {
        let (mut left, mut right) = (x >> self.half_bits, x & self.mask());
        for r in 0..ROUNDS {
            let next = left ^ self.round(r, right);
            left = right;
            right = next;
        }
        (left << self.half_bits) | right
    }

    /// The index of `position` (`None` outside `0..size`).
    pub(crate) fn index(&self, position: u64) -> Option<u64> {
        if position >= self.size {
            return None;
        }
        // Cycle walking: the network permutes 0..2^(2·half_bits); applying it again
        // until the value falls below `size` permutes 0..size.
        let mut x = self.network(position);
        while x >= self.size {
            x = self.network(x);
        }
        Some(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_permutation_of_the_range() {
        for size in [1u64, 2, 3, 5, 64, 100, 1000, 4097] {
            let p = Permutation::new(b"key", size).unwrap();
            let mut seen = vec![false; size as usize];
            for pos in 0..size {
                let i = p.index(pos).unwrap();
                assert!(i < size, "size {size}: {i} out of range");
                assert!(!seen[i as usize], "size {size}: {i} given twice");
                seen[i as usize] = true;
            }
            assert_eq!(p.index(size), None);
        }
    }

    #[test]
    fn consecutive_positions_land_far_apart_and_depend_on_the_key() {
        let size = 131_072u64;
        let p = Permutation::new(b"issuer key one", size).unwrap();
        let q = Permutation::new(b"issuer key two", size).unwrap();
        let first: Vec<u64> = (0..10).map(|i| p.index(i).unwrap()).collect();
        // Not in order, not neighbours: ten copies issued one after the other.
        assert_ne!(first, (0..10).collect::<Vec<_>>());
        let mut sorted = first.clone();
        sorted.sort_unstable();
        let closest = sorted.windows(2).map(|w| w[1] - w[0]).min().unwrap();
        assert!(closest > 16, "{first:?}");
        // Another key, another placement.
        let other: Vec<u64> = (0..10).map(|i| q.index(i).unwrap()).collect();
        assert_ne!(first, other);
        assert_eq!(Permutation::new(b"k", 0).map(|_| ()), None);
    }
}
