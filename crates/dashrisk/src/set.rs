//! [`Set`]: a set of a contract enum's values held as bits, for results that must
//! not allocate ([`crate::Outcome`]). Iteration is in declaration order, the order
//! every list of the result uses.
//!
//! Hand-rolled rather than taken from `enumset`: that crate's derive replaces the
//! enums' own `Clone`/`PartialEq`/`Ord` derives, which the contract and serde rely on,
//! and the whole type is a few lines over `u64`.

use std::fmt;
use std::marker::PhantomData;

/// A contract enum whose values can be held in a [`Set`]: fieldless, at most 64
/// values, with `ALL` in declaration order.
pub trait Member: Copy + 'static {
    /// Every value, in declaration order.
    const MEMBERS: &'static [Self];
    /// The value's position in [`Member::MEMBERS`].
    fn index(self) -> u32;
}

/// A set of enum values, as bits; `Copy` and allocation-free.
pub struct Set<T: Member> {
    bits: u64,
    _t: PhantomData<T>,
}

impl<T: Member> Set<T> {
    /// The empty set.
    pub const fn new() -> Self {
        Set {
            bits: 0,
            _t: PhantomData,
        }
    }

    /// Adds a value.
    pub fn insert(&mut self, v: T) {
        self.bits |= 1u64 << v.index();
    }

    /// Adds a value when `cond` holds.
    pub fn insert_if(&mut self, cond: bool, v: T) {
        self.bits |= u64::from(cond) << v.index();
    }

    /// Whether the set holds `v`.
    pub fn contains(&self, v: T) -> bool {
        self.bits & (1u64 << v.index()) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.bits.count_ones() as usize
    }

    /// The values, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        let bits = self.bits;
        T::MEMBERS
            .iter()
            .copied()
            .filter(move |v| bits & (1u64 << v.index()) != 0)
    }

    /// The values, in declaration order, as a `Vec` (allocates).
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().collect()
    }

    /// The raw bits: bit `i` is `MEMBERS[i]`.
    pub fn bits(&self) -> u64 {
        self.bits
    }
}

impl<T: Member> Default for Set<T> {
    fn default() -> Self {
        Set::new()
    }
}

impl<T: Member> Clone for Set<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Member> Copy for Set<T> {}

impl<T: Member> PartialEq for Set<T> {
    fn eq(&self, other: &Self) -> bool {
        self.bits == other.bits
    }
}

impl<T: Member> Eq for Set<T> {}

impl<T: Member + fmt::Debug> fmt::Debug for Set<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Member> FromIterator<T> for Set<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut s = Set::new();
        for v in iter {
            s.insert(v);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{Flag, Pathway};

    #[test]
    fn iterates_in_declaration_order_whatever_the_insertion_order() {
        let mut s = Set::new();
        s.insert(Flag::ThirdPartyThreat);
        s.insert(Flag::CoerciveControl);
        s.insert(Flag::Weapons);
        s.insert(Flag::Weapons);
        assert_eq!(
            s.to_vec(),
            vec![Flag::CoerciveControl, Flag::Weapons, Flag::ThirdPartyThreat]
        );
        assert_eq!(s.len(), 3);
        assert!(s.contains(Flag::Weapons) && !s.contains(Flag::Stalking));
        let mut p: Set<Pathway> = Set::new();
        p.insert_if(false, Pathway::Marac);
        assert!(p.is_empty());
        p.insert_if(true, Pathway::Idva);
        assert_eq!(p.to_vec(), vec![Pathway::Idva]);
    }

    #[test]
    fn emptiness_bits_equality_copies_and_debug() {
        let empty: Set<Flag> = Set::new();
        assert!(empty.is_empty() && empty.bits() == 0);
        assert_eq!(empty.len(), 0);
        let s: Set<Flag> = [Flag::Weapons, Flag::CoerciveControl].into_iter().collect();
        assert!(!s.is_empty());
        assert_eq!(s.bits(), 1 | 1 << 4);
        #[allow(clippy::clone_on_copy)]
        let t = s.clone();
        assert_eq!(t.to_vec(), s.to_vec());
        assert!(t == s);
        assert!(s != empty);
        assert!(Set::<Flag>::default() == empty);
        assert_eq!(format!("{s:?}"), "{CoerciveControl, Weapons}");
    }

    #[test]
    fn every_member_fits_and_indexes_its_position() {
        fn check<T: Member + PartialEq + fmt::Debug>() {
            assert!(T::MEMBERS.len() <= 64);
            for (i, v) in T::MEMBERS.iter().enumerate() {
                assert_eq!(v.index() as usize, i, "{v:?}");
            }
            let all: Set<T> = T::MEMBERS.iter().copied().collect();
            assert_eq!(all.to_vec(), T::MEMBERS.to_vec());
        }
        check::<Flag>();
        check::<Pathway>();
        check::<crate::result::MaracCriterion>();
        check::<crate::result::ConflictBlocker>();
        check::<crate::result::ChildLink>();
        check::<crate::result::ReasonCode>();
    }
}
