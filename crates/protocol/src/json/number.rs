//! Numbers: integers for ids and counts, f64 for values (Clinger's fast path), and skipping.

use super::{Fault, Scan, Scanner, Shape, Stop};

/// Exact powers of ten as f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl Scanner<'_> {
    /// A non-negative JSON integer (no fraction, no exponent) that fits a u64; anything else is
    /// classified by [`Scanner::wrong`] (`expected` names the field's type).
    #[inline]
    pub(crate) fn u64(&mut self, expected: &'static str) -> Scan<u64> {
        let start = self.i;
        let mut v: u64 = 0;
        while let Some(&c @ b'0'..=b'9') = self.b.get(self.i) {
            let Some(next) = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(c - b'0')))
            else {
                return Err(self.not_an_integer(start, expected));
            };
            v = next;
            self.i += 1;
        }
        let len = self.i - start;
        // No digits, or a leading zero ("01"), or a fraction/exponent (serde: a float, not an integer).
        if len == 0
            || (len > 1 && self.b[start] == b'0')
            || matches!(self.peek(), b'.' | b'e' | b'E')
        {
            return Err(self.not_an_integer(start, expected));
        }
        Ok(v)
    }

    #[cold]
    fn not_an_integer(&mut self, start: usize, expected: &'static str) -> Stop {
        self.i = start;
        self.wrong(expected)
    }

    /// An integer that fits a u32 (a larger one is a shape error, like serde's "invalid value").
    #[inline]
    pub(crate) fn u32(&mut self, expected: &'static str) -> Scan<u32> {
        let start = self.i;
        let v = self.u64(expected)?;
        u32::try_from(v).map_err(|_| self.fail(start, Fault::Shape(Shape::Expected(expected))))
    }

    /// A number as f64 (anything else is classified by [`Scanner::wrong`]).
    #[inline(always)]
    pub(crate) fn f64(&mut self, expected: &'static str) -> Scan<f64> {
        match self.peek() {
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(self.wrong(expected)),
        }
    }

    /// A number, or `null` as NaN (the widget's encoding of NaN/inf).
    #[inline]
    pub(crate) fn nullable_f64(&mut self) -> Scan<f64> {
        if self.null() {
            Ok(f64::NAN)
        } else {
            self.f64("a number or null")
        }
    }

    /// A JSON number (a `-` or digit is next) as f64, correctly rounded like serde_json with
    /// `float_roundtrip`: Clinger's exact fast path (at most 19 digits, a mantissa ≤ 2^53, a power of
    /// ten ≤ 22), `str::parse` otherwise. Beyond f64's range is [`Fault::Unreadable`].
    #[inline(always)]
    pub(crate) fn number(&mut self) -> Scan<f64> {
        let b = self.b;
        let start = self.i;
        let mut i = start;
        let neg = b.get(i) == Some(&b'-');
        if neg {
            i += 1;
        }
        // The mantissa may wrap past 19 digits; such numbers take the slow path.
        let int_start = i;
        let mut mant: u64 = 0;
        let int_digits = digits(b, &mut i, &mut mant);
        if int_digits == 0 || (int_digits > 1 && b[int_start] == b'0') {
            self.i = if int_digits == 0 { i } else { int_start + 1 };
            return Err(self.syntax("invalid number"));
        }
        let mut frac_digits = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            frac_digits = digits(b, &mut i, &mut mant);
            if frac_digits == 0 {
                self.i = i;
                return Err(self.syntax("invalid number"));
            }
        }
        let mut exp: i64 = 0;
        let mut exp_digits = 0;
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            let eneg = b.get(i) == Some(&b'-');
            if matches!(b.get(i), Some(b'-' | b'+')) {
                i += 1;
            }
            let mut e: u64 = 0;
            exp_digits = digits(b, &mut i, &mut e);
            if exp_digits == 0 {
                self.i = i;
                return Err(self.syntax("invalid number"));
            }
            // Only read when it has at most 18 digits (else the slow path): no overflow.
            exp = if eneg { -(e as i64) } else { e as i64 };
        }
        self.i = i;
        // Exact operands and one rounding (Clinger's fast path): correctly rounded.
        let exp = exp - frac_digits as i64;
        let v = if int_digits + frac_digits <= 19
            && exp_digits <= 18
            && mant <= (1u64 << 53)
            && (-22..=22).contains(&exp)
        {
            let m = mant as f64;
            let x = if exp < 0 {
                m / POW10[exp.unsigned_abs() as usize]
            } else {
                m * POW10[exp as usize]
            };
            if neg { -x } else { x }
        } else {
            self.slow_number(start, i)?
        };
        if v.is_finite() {
            Ok(v)
        } else {
            Err(self.fail(start, Fault::Unreadable("number out of range")))
        }
    }

    #[cold]
    fn slow_number(&mut self, start: usize, end: usize) -> Scan<f64> {
        match self.text.get(start..end).map(str::parse::<f64>) {
            Some(Ok(v)) => Ok(v),
            _ => Err(self.fail(start, Fault::Syntax("invalid number"))),
        }
    }

    /// Skips a number, checking its syntax only (its value may be out of range).
    pub(super) fn skip_number(&mut self) -> Scan<()> {
        let b = self.b;
        let mut ignored = 0;
        let mut i = self.i + usize::from(self.peek() == b'-');
        let int_start = i;
        let n = digits(b, &mut i, &mut ignored);
        let mut ok = n > 0 && (n == 1 || b[int_start] != b'0');
        if ok && b.get(i) == Some(&b'.') {
            i += 1;
            ok = digits(b, &mut i, &mut ignored) > 0;
        }
        if ok && matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            ok = digits(b, &mut i, &mut ignored) > 0;
        }
        self.i = i;
        if ok {
            Ok(())
        } else {
            Err(self.syntax("invalid number"))
        }
    }
}

/// Reads decimal digits from `b[*i..]` into `acc` (times ten plus the digit, wrapping); returns how many.
#[inline(always)]
fn digits(b: &[u8], i: &mut usize, acc: &mut u64) -> usize {
    let start = *i;
    while let Some(&c) = b.get(*i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        *acc = acc.wrapping_mul(10).wrapping_add(u64::from(d));
        *i += 1;
    }
    *i - start
}
