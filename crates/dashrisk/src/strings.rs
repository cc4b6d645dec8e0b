//! Macros that give contract enums their strings: `as_str`, `ALL`, `VALUES`,
//! `parse`, `Display` and `FromStr`, from one list per enum.

/// `Display` and `FromStr` for an enum that has `as_str`, `parse` and a list of
/// allowed strings already.
macro_rules! display_from_str {
    ($ty:ident, $what:literal, $values:expr) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $ty {
            type Err = crate::result::ParseEnumError;
            fn from_str(s: &str) -> Result<Self, crate::result::ParseEnumError> {
                $ty::parse(s).ok_or_else(|| crate::result::ParseEnumError {
                    what: $what,
                    value: crate::error::truncate_value(s),
                    expected: &$values,
                })
            }
        }
    };
}

/// `as_str`, `VALUES`, `ALL`, `Display` and `FromStr` for a contract enum, from one
/// list of its variants and their snake_case strings (the same as serde's; a test
/// checks that they agree).
macro_rules! contract_strings {
    ($ty:ident, $what:literal, $n:literal, [$($v:ident => $s:literal),+ $(,)?]) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: [$ty; $n] = [$($ty::$v),+];
            /// The contract strings, in declaration order.
            pub const VALUES: [&'static str; $n] = [$($s),+];
            /// The contract string.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$v => $s,)+
                }
            }
            /// Parses a contract string (exact, lower-case); `None` otherwise.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($s => Some($ty::$v),)+
                    _ => None,
                }
            }
        }
        display_from_str!($ty, $what, $ty::VALUES);
        impl crate::set::Member for $ty {
            const MEMBERS: &'static [$ty] = &$ty::ALL;
            fn index(self) -> u32 {
                self as u32
            }
            fn contract_str(self) -> &'static str {
                self.as_str()
            }
        }
    };
}
