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
    ($($t:ty),*) => {$(
        impl Piece for $t {
            fn push_to(&self, out: &mut String) {
                push_int(out, *self as i128);
            }
        }
    )*};
}
integer_pieces!(u8, u16, u32, u64, usize, i32, i64);

/// Appends the decimal digits of `n`.
pub fn push_int(out: &mut String, n: i128) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 40];
    let mut i = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(d as char);
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
    }
}
