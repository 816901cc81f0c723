//! Building sentences without `core::fmt`: its machinery (and float formatting above all) would be most of the
//! shipped wasm. Messages are static pieces joined with [`cat!`], numbers written by [`Piece`].

/// A part of a message.
pub trait Piece {
    /// Appends this piece to `out`.
    fn push_to(&self, out: &mut String);
}

impl Piece for str {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for std::borrow::Cow<'_, str> {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    fn push_to(&self, out: &mut String) {
        out.push(*self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
}

macro_rules! integer_pieces {
    ($push:ident: $($t:ty),*) => {$(
        impl Piece for $t {
            fn push_to(&self, out: &mut String) {
                $push(out, (*self).into());
            }
        }
    )*};
}
integer_pieces!(push_uint: u8, u16, u32, u64);
integer_pieces!(push_int: i32, i64);

impl Piece for usize {
    fn push_to(&self, out: &mut String) {
        push_uint(out, *self as u64);
    }
}

/// Appends the decimal digits of `n`.
pub fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_uint(out, n.unsigned_abs());
}

/// Appends the decimal digits of `n` (64-bit arithmetic: `u128` division is a kilobyte of wasm; no index that
/// could panic).
pub fn push_uint(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    for slot in digits.iter_mut() {
        *slot = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in digits.iter().take(len).rev() {
        out.push(char::from(*d));
    }
}

/// Joins pieces into a `String`: `cat!("got ", n, " of ", total)`.
macro_rules! cat {
    ($($piece:expr),* $(,)?) => {{
        let mut out = String::new();
        $( $crate::text::Piece::push_to(&$piece, &mut out); )*
        out
    }};
}
pub(crate) use cat;

#[cfg(test)]
mod tests {
    #[test]
    fn pieces_join_without_fmt() {
        assert_eq!(cat!("a", 0u8, -17i64, ' ', String::from("b"), i64::MIN), "a0-17 b-9223372036854775808");
        assert_eq!(cat!(u64::MAX), "18446744073709551615");
        assert_eq!(cat!(0u64, ' ', 7usize, ' ', 10u16, ' ', i64::MAX), "0 7 10 9223372036854775807");
    }
}
