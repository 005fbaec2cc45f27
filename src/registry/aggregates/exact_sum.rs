//! A sum of exact decimals that never rounds on the way. A decimal holds 28 significant
//! digits, so `1e28 + 0.25` cannot be one; instead of rounding each addition (which made the
//! total depend on the order of the records and on how a file was split), the sum moves to
//! a 256-bit integer counted in units of 1e-28 as soon as an addition would round or
//! overflow. The total is then exact whatever the order. Only the final total is rounded,
//! once, to the digits a decimal holds (as a division's result is): `x / 3` summed over
//! records has 28 decimals in every term, and their total, near 11, cannot keep them all.
//! A total whose whole part does not fit a decimal is an overflow, reported.

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
    /// Whole numbers added apart (`add_int`), one integer addition each; folded into the
    /// total when it is read. Every part is exact, so the total is the same.
    int: i128,
}

impl ExactSum {
    #[inline]
    pub fn add(&mut self, d: Decimal) {
        if self.wide.is_none() {
            // Whole numbers, amounts in cents: one scale, added on the mantissas while the
            // sum fits (a zero or larger total takes the general path).
            if let Some(sum) = crate::fast_decimal::add(self.small, d) {
                self.small = sum;
                return;
            }
        }
        self.add_general(d);
    }

    /// Add a whole number.
    #[inline]
    pub fn add_int(&mut self, i: i64) {
        match self.int.checked_add(i128::from(i)) {
            Some(s) => self.int = s,
            None => {
                self.fold_int();
                self.int = i128::from(i);
            }
        }
    }

    /// Move the whole numbers into the decimal (or wide) total.
    #[inline(never)]
    fn fold_int(&mut self) {
        let int = std::mem::take(&mut self.int);
        if int == 0 {
            return;
        }
        match Decimal::try_from_i128_with_scale(int, 0) {
            Ok(d) => self.add(d),
            Err(_) => {
                let w = self.wide.take().map_or_else(|| wide(self.small), |w| *w);
                self.wide = Some(Box::new(w + I256::from(int) * POW10[SCALE as usize]));
                self.small = Decimal::ZERO;
            }
        }
    }

    /// Any addition: out of line, so that the integer path inlined in the callers stays
    /// small.
    #[inline(never)]
    fn add_general(&mut self, d: Decimal) {
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
        match self.int.checked_add(other.int) {
            Some(s) => self.int = s,
            None => {
                self.fold_int();
                self.int = other.int;
            }
        }
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

    /// The total: exact when a decimal can hold it, else rounded once (halves away from
    /// zero) to the decimals that fit; an overflow when its whole part does not fit.
    pub fn value(&self) -> Result<Decimal, OpError> {
        if self.int != 0 {
            let mut all = self.clone();
            all.fold_int();
            return all.value();
        }
        match &self.wide {
            None => Ok(self.small),
            Some(w) => wide_to_decimal(**w, SCALE),
        }
    }
}

/// `m` × 10^-`scale` as a decimal: exact when a decimal can hold it, else rounded once
/// (halves away from zero, never digit by digit, which would round twice) to the decimals
/// that fit; an overflow when its whole part does not fit.
pub(super) fn wide_to_decimal(mut m: I256, mut scale: u32) -> Result<Decimal, OpError> {
    let ten = I256::from(10u8);
    while scale > 0 && m % ten == 0 {
        m /= ten;
        scale -= 1;
    }
    for dropped in 0..=scale {
        let unit = ten.pow(dropped);
        let (mut q, r) = (m / unit, m % unit);
        if dropped > 0 && r.unsigned_abs() * 2 >= unit.unsigned_abs() {
            q += if m < 0 { -I256::ONE } else { I256::ONE };
        }
        if let Ok(q) = i128::try_from(q) {
            if let Ok(d) = Decimal::try_from_i128_with_scale(q, scale - dropped) {
                return Ok(d);
            }
        }
    }
    Err(OpError::Overflow)
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

    /// Whole numbers added apart give the total, and the scale, of adding them as decimals,
    /// mixed with decimals, near and past a decimal's 96 bits, and merged.
    #[test]
    fn whole_numbers_apart_sum_as_decimals() {
        let cases: [&[&str]; 6] = [
            &["7", "1.50", "-2", "0.25"],
            &["9223372036854775807", "9223372036854775807", "0.1"],
            &["79228162514264337593543950335", "-1", "9223372036854775807"],
            &["0", "0", "0"],
            &["1.000", "3"],
            &[
                "-79228162514264337593543950335",
                "-9223372036854775807",
                "5",
            ],
        ];
        for values in cases {
            let mut decimals = ExactSum::default();
            let (mut apart, mut left, mut right) =
                (decimals.clone(), decimals.clone(), decimals.clone());
            for (k, v) in values.iter().enumerate() {
                let x = d(v);
                decimals.add(x);
                let half: &mut ExactSum = if k % 2 == 0 { &mut left } else { &mut right };
                match i64::try_from(x.mantissa()) {
                    Ok(i) if x.scale() == 0 => {
                        apart.add_int(i);
                        half.add_int(i);
                    }
                    _ => {
                        apart.add(x);
                        half.add(x);
                    }
                }
            }
            left.merge(&right);
            let want = decimals.value().map(|v| (v, v.scale()));
            assert_eq!(apart.value().map(|v| (v, v.scale())), want, "{values:?}");
            assert_eq!(
                left.value().map(|v| (v, v.scale())),
                want,
                "{values:?} merged"
            );
        }
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
    fn a_total_past_28_digits_is_rounded_once_not_an_overflow() {
        // x / 3 for x = 1 and 32: each term has 28 decimals, the exact total 30 digits.
        let third = Decimal::ONE / d("3");
        let big = d("32") / d("3");
        let mut s = ExactSum::default();
        s.add(third);
        s.add(big);
        // 0.3333333333333333333333333333 + 10.666666666666666666666666667
        assert_eq!(s.value().unwrap(), d("11.000000000000000000000000000"));
        // Rounded once from the exact total, halves away from zero, in any order.
        assert_eq!(
            sum(&["10000000000000000000000000000", "0.5"]).unwrap(),
            d("10000000000000000000000000001")
        );
        assert_eq!(
            sum(&["-0.5", "-10000000000000000000000000000"]).unwrap(),
            d("-10000000000000000000000000001")
        );
        assert_eq!(
            sum(&["10000000000000000000000000000", "0.49"]).unwrap(),
            d("10000000000000000000000000000")
        );
    }

    #[test]
    fn the_total_keeps_its_scale_when_exact() {
        assert_eq!(sum(&["1.50", "2.25"]).unwrap().to_string(), "3.75");
        assert_eq!(sum(&["0.1", "0.2"]).unwrap(), d("0.3"));
    }

    /// The integer path keeps the very decimal (sign, scale, mantissa) that the general
    /// addition gives, and leaves to it every total it would not keep.
    #[test]
    fn integers_add_to_the_decimal_of_the_general_path() {
        let max = Decimal::MAX;
        let values = [
            Decimal::ZERO,
            -Decimal::ZERO,
            Decimal::ONE,
            -Decimal::ONE,
            Decimal::new(181, 0),
            Decimal::new(-181, 0),
            d("-0"),
            max,
            -max,
            max - Decimal::ONE,
            Decimal::new(250, 2),
        ];
        for a in values {
            for b in values {
                let mut s = ExactSum {
                    small: a,
                    ..ExactSum::default()
                };
                s.add(b);
                let general = a
                    .checked_add(b)
                    .filter(|t| t.scale() >= a.scale().max(b.scale()));
                match general {
                    Some(t) if s.wide.is_none() => {
                        assert_eq!(s.small.serialize(), t.serialize(), "{a} + {b}")
                    }
                    None => assert!(s.wide.is_some(), "{a} + {b}"),
                    Some(t) => panic!("{a} + {b}: went wide, general {t}"),
                }
            }
        }
    }
}
