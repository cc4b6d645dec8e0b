//! [`Set`]: a set of a contract enum's values held as bits, for results that must
//! not allocate ([`crate::Outcome`]). Iteration is in declaration order, the order
//! every list of the result uses.
//!
//! Hand-rolled rather than taken from `enumset`: that crate's derive replaces the
//! enums' own `Clone`/`PartialEq`/`Ord` derives, which the contract and serde rely on,
//! and the whole type is a few lines over `u64`.

use serde::de::{Error as _, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;

/// A contract enum whose values can be held in a [`Set`]: fieldless, at most 64
/// values, with `ALL` in declaration order.
pub trait Member: Copy + 'static {
    /// Every value, in declaration order.
    const MEMBERS: &'static [Self];
    /// The value's position in [`Member::MEMBERS`].
    fn index(self) -> u32;
    /// The value's contract string (what JSON holds).
    fn contract_str(self) -> &'static str;
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
    /// Takes the value or a reference to it, as `Vec::contains` does.
    pub fn contains(&self, v: impl Borrow<T>) -> bool {
        self.bits & (1u64 << v.borrow().index()) != 0
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
    pub fn iter(&self) -> SetIter<T> {
        self.into_iter()
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

/// The values, in declaration order.
impl<T: Member> IntoIterator for Set<T> {
    type Item = T;
    type IntoIter = SetIter<T>;
    fn into_iter(self) -> SetIter<T> {
        SetIter {
            bits: self.bits,
            _t: PhantomData,
        }
    }
}

/// The values, in declaration order.
impl<T: Member> IntoIterator for &Set<T> {
    type Item = T;
    type IntoIter = SetIter<T>;
    fn into_iter(self) -> SetIter<T> {
        (*self).into_iter()
    }
}

/// An iterator over a [`Set`]'s values, in declaration order.
#[derive(Debug, Clone)]
pub struct SetIter<T: Member> {
    /// The bits not yet visited.
    bits: u64,
    _t: PhantomData<T>,
}

impl<T: Member> Iterator for SetIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        // Bit `i` is `MEMBERS[i]`, so the lowest set bit is the next value.
        while self.bits != 0 {
            let at = self.bits.trailing_zeros() as usize;
            self.bits &= self.bits - 1;
            if let Some(&v) = T::MEMBERS.get(at) {
                return Some(v);
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.bits.count_ones() as usize;
        (n, Some(n))
    }
}

impl<T: Member> ExactSizeIterator for SetIter<T> {}

impl<T: Member> std::iter::FusedIterator for SetIter<T> {}

/// A set equals a list that holds exactly its values, in declaration order.
impl<T: Member + PartialEq> PartialEq<Vec<T>> for Set<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

/// A set equals an array that holds exactly its values, in declaration order.
impl<T: Member + PartialEq, const N: usize> PartialEq<[T; N]> for Set<T> {
    fn eq(&self, other: &[T; N]) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

/// A list equals a set that holds exactly its values, in declaration order.
impl<T: Member + PartialEq> PartialEq<Set<T>> for Vec<T> {
    fn eq(&self, other: &Set<T>) -> bool {
        other == self
    }
}

/// Written as a list, in declaration order (what the result's lists have always
/// been).
impl<T: Member + Serialize> Serialize for Set<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for v in self.iter() {
            seq.serialize_element(&v)?;
        }
        seq.end()
    }
}

/// Read from a list in any order. A value listed twice is refused: a set cannot
/// hold it twice, and reading it once would not give back what was written.
impl<'de, T: Member + Deserialize<'de>> Deserialize<'de> for Set<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Values<T>(PhantomData<T>);
        impl<'de, T: Member + Deserialize<'de>> Visitor<'de> for Values<T> {
            type Value = Set<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of distinct values")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Set<T>, A::Error> {
                let mut set = Set::new();
                while let Some(v) = seq.next_element::<T>()? {
                    if set.contains(v) {
                        return Err(A::Error::custom(format_args!(
                            "{:?} is listed twice; each value may be listed once",
                            v.contract_str()
                        )));
                    }
                    set.insert(v);
                }
                Ok(set)
            }
        }
        deserializer.deserialize_seq(Values(PhantomData))
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
        fn check<T: Member + PartialEq + fmt::Debug + Serialize>() {
            assert!(T::MEMBERS.len() <= 64);
            for (i, v) in T::MEMBERS.iter().enumerate() {
                assert_eq!(v.index() as usize, i, "{v:?}");
                assert_eq!(serde_json::json!(v.contract_str()), serde_json::json!(v));
                let one: Set<T> = [*v].into_iter().collect();
                assert_eq!(one.to_vec(), vec![*v]);
                assert_eq!(one.iter().len(), 1);
            }
            let all: Set<T> = T::MEMBERS.iter().copied().collect();
            assert_eq!(all.to_vec(), T::MEMBERS.to_vec());
            assert_eq!(all.iter().len(), T::MEMBERS.len());
            let mut it = all.iter();
            it.by_ref().for_each(drop);
            assert_eq!((it.next(), it.len()), (None, 0));
        }
        check::<Flag>();
        check::<Pathway>();
        check::<crate::result::MaracCriterion>();
        check::<crate::result::ConflictBlocker>();
        check::<crate::result::ChildLink>();
        check::<crate::result::ReasonCode>();
    }

    #[test]
    fn written_as_a_list_in_declaration_order_and_read_in_any_order() {
        let s: Set<Pathway> = [Pathway::EarlyHelp, Pathway::Marac].into_iter().collect();
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"["marac","early_help"]"#
        );
        let back: Set<Pathway> = serde_json::from_str(r#"["early_help","marac"]"#).unwrap();
        assert_eq!(back, s);
        assert_eq!(back, vec![Pathway::Marac, Pathway::EarlyHelp]);
        assert_ne!(back, vec![Pathway::EarlyHelp, Pathway::Marac]);
        assert_eq!(back, [Pathway::Marac, Pathway::EarlyHelp]);
        // Both ways round, and a list out of order or with more is not equal.
        assert!(vec![Pathway::Marac, Pathway::EarlyHelp] == back);
        assert!(vec![Pathway::EarlyHelp, Pathway::Marac] != back);
        assert!(vec![Pathway::Marac] != back);
        assert!(Vec::<Pathway>::new() == Set::<Pathway>::new());
        let empty: Set<Flag> = serde_json::from_str("[]").unwrap();
        assert!(empty.is_empty());
        assert_eq!(serde_json::to_string(&empty).unwrap(), "[]");
    }

    #[test]
    fn a_value_listed_twice_or_unknown_is_refused() {
        let e = serde_json::from_str::<Set<Flag>>(r#"["weapons","stalking","weapons"]"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"weapons\" is listed twice"), "{e}");
        let e = serde_json::from_str::<Set<Flag>>(r#"["weapon"]"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("weapon"), "{e}");
        let e = serde_json::from_str::<Set<Flag>>(r#""weapons""#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a list of distinct values"), "{e}");
    }

    #[test]
    fn contains_takes_a_value_or_a_reference() {
        let s: Set<Flag> = [Flag::Stalking].into_iter().collect();
        let (stalking, weapons): (&Flag, &Flag) = (&Flag::Stalking, &Flag::Weapons);
        assert!(s.contains(Flag::Stalking) && s.contains(stalking));
        assert!(!s.contains(Flag::Weapons) && !s.contains(weapons));
        assert_eq!((&s).into_iter().collect::<Vec<_>>(), vec![Flag::Stalking]);
    }
}
