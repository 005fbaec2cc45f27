//! A sum of exact decimals that never rounds. A decimal holds 28 significant digits, so
//! `1e28 + 0.25` cannot be one; instead of rounding (which made the total depend on the
//! order of the records and on how a file was split), the sum moves to a 256-bit integer
//! counted in units of 1e-28 as soon as an addition would round or overflow. The total is
//! then exact whatever the order; only a total that itself needs more than 28 digits is an
//! overflow, reported, never rounded.

use crate::value::OpError;
use ethnum::I256;
use rust_decimal::Decimal;
use std::sync::LazyLock;

/// Decimal places of the wide form.
const SCALE: u32 = 28;

/// 10^0 … 10^28 as wide integers.
static POW10: LazyLock<[I256; SCALE as usize + 1]> = LazyLock::new(|| {
    let mut p = [I256::ONE; SCALE as usize + 1];
    for i in 1..p.len() {
        p[i] = p[i - 1] * I256::from(10u8);
    }
    p
});

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExactSum {
    /// The total while every addition was exact.
    small: Decimal,
    /// The total in units of 1e-28, once `small` could not hold it.
    wide: Option<Box<I256>>,
}

impl ExactSum {
    #[inline]
    pub fn add(&mut self, d: Decimal) {
        if let Some(w) = &mut self.wide {
            **w += wide(d);
            return;
        }
        match self.small.checked_add(d) {
            // A smaller scale than the operands' means the addition rounded.
            Some(s) if s.scale() >= self.small.scale().max(d.scale()) => self.small = s,
            _ => self.wide = Some(Box::new(wide(self.small) + wide(d))),
        }
    }

    /// Fold another sum into this one.
    pub fn merge(&mut self, other: &ExactSum) {
        match &other.wide {
            None => self.add(other.small),
            Some(w) => {
                let mine = self
                    .wide
                    .as_deref()
                    .copied()
                    .unwrap_or_else(|| wide(self.small));
                self.wide = Some(Box::new(mine + **w));
                self.small = Decimal::ZERO;
            }
        }
    }

    /// The exact total, or an overflow when it needs more than a decimal's 28 digits.
    pub fn value(&self) -> Result<Decimal, OpError> {
        let Some(w) = &self.wide else {
            return Ok(self.small);
        };
        let (mut m, mut scale) = (**w, SCALE);
        let ten = I256::from(10u8);
        while scale > 0 && m % ten == 0 {
            m /= ten;
            scale -= 1;
        }
        let m = i128::try_from(m).map_err(|_| OpError::Overflow)?;
        Decimal::try_from_i128_with_scale(m, scale).map_err(|_| OpError::Overflow)
    }
}

/// A decimal in units of 1e-28 (at most 7.9e56: far from the 5.7e76 an `I256` holds, even
/// summed 2^64 times).
#[inline]
fn wide(d: Decimal) -> I256 {
    I256::from(d.mantissa()) * POW10[(SCALE - d.scale()) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn sum(values: &[&str]) -> Result<Decimal, OpError> {
        let mut s = ExactSum::default();
        for v in values {
            s.add(d(v));
        }
        s.value()
    }

    #[test]
    fn no_order_loses_digits() {
        let big = "10000000000000000000000000000"; // 1e28
        let minus = "-10000000000000000000000000000";
        for order in [
            [big, "0.25", minus],
            ["0.25", big, minus],
            [big, minus, "0.25"],
        ] {
            assert_eq!(sum(&order).unwrap(), d("0.25"), "{order:?}");
        }
    }

    #[test]
    fn an_overflow_on_the_way_is_no_overflow() {
        let max = "79228162514264337593543950335";
        let min = "-79228162514264337593543950335";
        assert_eq!(sum(&[min, max, "1"]).unwrap(), d("1"));
        assert_eq!(sum(&[max, "1", min]).unwrap(), d("1"));
        assert_eq!(sum(&[max, max]), Err(OpError::Overflow));
    }

    #[test]
    fn merged_halves_equal_one_pass() {
        let max = d("79228162514264337593543950335");
        let mut a = ExactSum::default();
        a.add(max);
        a.add(Decimal::ONE);
        let mut b = ExactSum::default();
        b.add(-max);
        a.merge(&b);
        assert_eq!(a.value().unwrap(), Decimal::ONE);
    }

    #[test]
    fn the_total_keeps_its_scale_when_exact() {
        assert_eq!(sum(&["1.50", "2.25"]).unwrap().to_string(), "3.75");
        assert_eq!(sum(&["0.1", "0.2"]).unwrap(), d("0.3"));
    }
}
