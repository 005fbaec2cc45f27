//! Additions and comparisons of two decimals of the same scale (two whole numbers, two
//! amounts in cents), done on their integer mantissas: the usual case in records, and
//! several times cheaper than the general decimal routines, which align scales first.
//! Each gives exactly what the general routine gives, or `None` to let it decide.

use rust_decimal::Decimal;
use std::cmp::Ordering;

/// The largest mantissa a decimal holds (96 bits).
const MAX_MANTISSA: i128 = (1 << 96) - 1;

/// `p + q` when both have one scale and the sum is not zero (whose sign the general
/// routine decides) and fits: exact, at that scale, as `checked_add` gives it.
#[inline(always)]
pub fn add(p: Decimal, q: Decimal) -> Option<Decimal> {
    let scale = p.scale();
    if scale != q.scale() {
        return None;
    }
    let sum = p.mantissa() + q.mantissa();
    if sum == 0 || sum.abs() > MAX_MANTISSA {
        return None;
    }
    let m = sum.unsigned_abs();
    Some(Decimal::from_parts(
        m as u32,
        (m >> 32) as u32,
        (m >> 64) as u32,
        sum < 0,
        scale,
    ))
}

/// `p - q`, as [`add`].
#[inline(always)]
pub fn sub(p: Decimal, q: Decimal) -> Option<Decimal> {
    add(p, -q)
}

/// How `p` compares with `q` when both have one scale (negative zero equals zero, as in
/// the general routine).
#[inline(always)]
pub fn cmp(p: &Decimal, q: &Decimal) -> Option<Ordering> {
    (p.scale() == q.scale()).then(|| p.mantissa().cmp(&q.mantissa()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn same_as_the_general_routines() {
        let texts = [
            "0",
            "-0",
            "1",
            "-1",
            "17",
            "18",
            "-18",
            "0.5",
            "-0.50",
            "12.34",
            "99.99",
            "1.00",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7922816251426433759354395033.5",
            "0.0000000000000000000000000001",
        ];
        let values: Vec<Decimal> = texts
            .iter()
            .map(|t| Decimal::from_str(t).unwrap())
            .collect();
        let mut fast = 0;
        for p in &values {
            for q in &values {
                if let Some(s) = add(*p, *q) {
                    let general = p.checked_add(*q).unwrap();
                    assert_eq!((s, s.scale()), (general, general.scale()), "{p} + {q}");
                    assert_eq!(s.to_string(), general.to_string(), "{p} + {q}");
                    fast += 1;
                }
                if let Some(s) = sub(*p, *q) {
                    let general = p.checked_sub(*q).unwrap();
                    assert_eq!(s.to_string(), general.to_string(), "{p} - {q}");
                }
                if let Some(o) = cmp(p, q) {
                    assert_eq!(o, p.cmp(q), "{p} <=> {q}");
                }
            }
        }
        assert!(fast > 30, "{fast}");
        // A sum past 96 bits is left to the general routine.
        let max = Decimal::MAX;
        assert_eq!(add(max, Decimal::ONE), None);
    }
}
