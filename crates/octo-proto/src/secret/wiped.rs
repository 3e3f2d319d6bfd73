//! Holding a secret string: equality in constant time, and the bytes wiped
//! from memory on drop. Every type that holds a secret (the shop's secrets,
//! card numbers, SMS codes) is built with [`wiped_secret`].

#[cfg(test)]
thread_local! {
    /// How many constant-time comparisons this thread made: lets the tests
    /// see that `==` on a secret goes through [`ct_eq`].
    static CT_COMPARES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs `compare` and says how many constant-time comparisons it made.
#[cfg(test)]
pub(crate) fn ct_compares(compare: impl FnOnce() -> bool) -> (bool, usize) {
    let before = CT_COMPARES.with(std::cell::Cell::get);
    let equal = compare();
    (equal, CT_COMPARES.with(std::cell::Cell::get) - before)
}

/// Checks what every secret holder promises: it is wiped on drop (the
/// `ZeroizeOnDrop` bound), `make(same) == make(same)` holds,
/// `make(same) == make(other)` does not, and each goes through the
/// constant-time compare exactly once. `make` must accept both values;
/// `name` names the type in failures.
#[cfg(test)]
pub(crate) fn assert_wiped_constant_time_eq<T: PartialEq + zeroize::ZeroizeOnDrop>(
    name: &str,
    make: impl Fn(&'static str) -> Option<T>,
    same: &'static str,
    other: &'static str,
) {
    let make = |text| make(text).unwrap_or_else(|| panic!("{name}: {text} is refused"));
    for (second, expected) in [(same, true), (other, false)] {
        let (equal, compares) = ct_compares(|| make(same) == make(second));
        assert_eq!(equal, expected, "{name}: {same} vs {second}");
        assert_eq!(compares, 1, "{name}: `==` is not the constant-time compare");
    }
}

/// Compares two secrets in constant time for equal lengths (a length
/// mismatch answers at once: lengths are not secret here).
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    #[cfg(test)]
    CT_COMPARES.with(|count| count.set(count.get() + 1));
    bool::from(subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()))
}

/// Equality in constant time and wiping on drop, for a newtype over a
/// `String` holding a secret.
macro_rules! wiped_secret {
    ($name:ident) => {
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                $crate::secret::wiped::ct_eq(&self.0, &other.0)
            }
        }

        impl Eq for $name {}

        impl subtle::ConstantTimeEq for $name {
            fn ct_eq(&self, other: &Self) -> subtle::Choice {
                self.0.as_bytes().ct_eq(other.0.as_bytes())
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                zeroize::Zeroize::zeroize(&mut self.0);
            }
        }

        impl zeroize::ZeroizeOnDrop for $name {}
    };
}

pub(crate) use wiped_secret;
