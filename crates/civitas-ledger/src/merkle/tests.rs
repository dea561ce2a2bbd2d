use super::hash::sha256;
use super::tree::split_point;
use super::*;

#[test]
fn empty_root_is_sha256_of_nothing() {
    assert_eq!(EMPTY_ROOT, sha256(b""));
}

#[test]
fn hash_hex_round_trips_and_refuses_garbage() {
    let h = leaf_hash(b"x");
    assert_eq!(Hash::from_hex(&h.to_hex()).unwrap(), h);
    assert_eq!(Hash::from_hex(&h.to_hex().to_uppercase()).unwrap(), h);
    assert!(Hash::from_hex("00").is_err());
    assert!(Hash::from_hex(&"zz".repeat(32)).is_err());
    assert!(Hash::from_slice(&[0u8; 31]).is_err());
    assert!(format!("{h:?}").starts_with("Hash("));
}

#[test]
fn node_ids_cover_their_leaves() {
    let id = NodeId::new(3, 2);
    assert_eq!(id.leaf_range(), Some(16..24));
    assert!(id.is_complete_in(24));
    assert!(!id.is_complete_in(23));
    assert_eq!(id.parent(), NodeId::new(4, 1));
    assert_eq!(id.sibling(), NodeId::new(3, 3));
    assert_eq!(NodeId::new(63, 1).leaf_range(), None);
    assert_eq!(NodeId::new(64, 0).leaf_range(), None);
    assert!(!NodeId::new(200, 0).is_complete_in(u64::MAX));
}

#[test]
fn split_point_is_the_largest_power_of_two_below() {
    for n in 2u64..1000 {
        let k = split_point(n);
        assert!(k.is_power_of_two() && k < n && 2 * k >= n, "n={n}");
    }
    assert_eq!(split_point(u64::MAX), 1 << 63);
}
