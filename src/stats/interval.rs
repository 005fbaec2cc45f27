//! Confidence intervals from exact counts and sums. Everything is exact decimal arithmetic
//! except the critical value (`quantile.rs`) and the first guess of each square root, which
//! Newton's method then refines in decimals to the last digit exact decimals hold.
//!
//! * a proportion `k` of `n` (`pct`, `share`): Wilson's score interval (E. B. Wilson,
//!   "Probable inference, the law of succession, and statistical inference", JASA 22, 1927),
//!   `(k + z²/2) / (n + z²) ± z / (n + z²) · √(k(n − k)/n + z²/4)`: inside [0, 1] and
//!   meaningful at k = 0, k = n and n = 1, where the textbook p ± z√(p(1−p)/n) is not.
//! * a mean of n values with sum S and sum of squares Q (`avg`, and a difference of two
//!   proportions over the same records, the mean of a +1/0/−1 score): Student's t interval
//!   ("Student", "The probable error of a mean", Biometrika 6, 1908),
//!   `S/n ± t(n−1) · √(s²/n)` with the exact sample variance `s² = (nQ − S²) / (n(n − 1))`;
//!   none for n < 2.

use rust_decimal::prelude::*;

/// The low and high bounds of an interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    pub low: Decimal,
    pub high: Decimal,
}

/// √x in exact decimals: a floating-point first guess, then Newton steps in decimals.
pub fn sqrt(x: Decimal) -> Option<Decimal> {
    if x.is_sign_negative() && !x.is_zero() {
        return None;
    }
    if x.is_zero() {
        return Some(Decimal::ZERO);
    }
    let mut r = Decimal::from_f64(x.to_f64()?.sqrt())?;
    let two = Decimal::TWO;
    for _ in 0..4 {
        if r.is_zero() {
            return None;
        }
        let next = r.checked_add(x.checked_div(r)?)?.checked_div(two)?;
        if next == r {
            break;
        }
        r = next;
    }
    Some(r)
}

/// Wilson's score interval for `k` successes among `n`, as fractions from 0 to 1; `z` is the
/// normal critical value. None when n = 0.
pub fn wilson(k: u64, n: u64, z: f64) -> Option<Bounds> {
    if n == 0 || k > n {
        return None;
    }
    let z = Decimal::from_f64(z)?;
    let z2 = z.checked_mul(z)?;
    let (k, n) = (Decimal::from(k), Decimal::from(n));
    let denom = n.checked_add(z2)?;
    let center = k.checked_add(z2 / Decimal::TWO)?.checked_div(denom)?;
    let spread = k
        .checked_mul(n - k)?
        .checked_div(n)?
        .checked_add(z2 / Decimal::from(4))?;
    let half = z.checked_mul(sqrt(spread)?)?.checked_div(denom)?;
    Some(Bounds {
        low: (center - half).max(Decimal::ZERO),
        high: (center + half).min(Decimal::ONE),
    })
}

/// Student's t interval for the mean of `n` values whose sum is `sum` and sum of squares
/// `squares`; `t` gives the critical value for a number of degrees of freedom. None for
/// n < 2 (no variance) or when the sums do not fit exact decimals.
pub fn mean_t(n: u64, sum: Decimal, squares: Decimal, t: impl Fn(u64) -> f64) -> Option<Bounds> {
    if n < 2 {
        return None;
    }
    let nd = Decimal::from(n);
    let mean = sum.checked_div(nd)?;
    // n·Q − S² is exact (both products fit or the interval is left out); the division is
    // the one rounding, at the 28th digit.
    let spread = nd
        .checked_mul(squares)?
        .checked_sub(sum.checked_mul(sum)?)?;
    let variance = spread
        .max(Decimal::ZERO)
        .checked_div(nd.checked_mul(Decimal::from(n - 1))?)?;
    let se = sqrt(variance.checked_div(nd)?)?;
    let half = Decimal::from_f64(t(n - 1))?.checked_mul(se)?;
    Some(Bounds {
        low: mean.checked_sub(half)?,
        high: mean.checked_add(half)?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::quantile::{normal_critical, t_critical};
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn close(got: Decimal, want: f64, tol: f64) {
        let g = got.to_f64().unwrap();
        assert!((g - want).abs() <= tol, "{got} against {want}");
    }

    #[test]
    fn square_roots_are_exact_to_the_last_digits() {
        assert_eq!(sqrt(d("4")), Some(d("2")));
        assert_eq!(sqrt(d("0")), Some(d("0")));
        assert_eq!(sqrt(d("-1")), None);
        let r = sqrt(d("2")).unwrap();
        assert!((r * r - d("2")).abs() < d("0.0000000000000000000000001"));
    }

    /// Hand-worked: 8 of 10 at 95 % (z = 1.959964, z² = 3.841459): centre
    /// (8 + 1.920729) / 13.841459 = 0.716740, half 1.959964 · √(1.6 + 0.960365) / 13.841459
    /// = 0.226578.
    #[test]
    fn wilson_by_hand() {
        let z = normal_critical(0.95);
        let b = wilson(8, 10, z).unwrap();
        close(b.low, 0.716740 - 0.226578, 2e-6);
        close(b.high, 0.716740 + 0.226578, 2e-6);
        // n = 1, k = 1: centre (1 + z²/2)/(1 + z²), half z·√(z²/4)/(1 + z²) = (z²/2)/(1 + z²).
        let b = wilson(1, 1, z).unwrap();
        let z2 = z * z;
        close(b.low, (1.0) / (1.0 + z2), 1e-15);
        assert_eq!(b.high, Decimal::ONE);
        assert_eq!(wilson(0, 0, z), None);
    }

    /// `statsmodels.stats.proportion.proportion_confint(k, n, alpha, method="wilson")`,
    /// computed once (statsmodels 0.15, `scripts/ci_reference.py`) and written here.
    #[test]
    fn wilson_matches_statsmodels() {
        let z95 = normal_critical(0.95);
        let z90 = normal_critical(0.90);
        for (k, n, z, low, high) in [
            (8, 10, z95, 0.49016247153664183, 0.9433178485456247),
            (0, 10, z95, 0.0, 0.2775327998628892),
            (10, 10, z95, 0.7224672001371107, 0.9999999999999999),
            (0, 1, z95, 0.0, 0.7934506856227626),
            (1, 1, z95, 0.20654931437723745, 1.0),
            (3, 7, z90, 0.186443190363956, 0.7105229089864071),
            (65, 100, z95, 0.5525444329688796, 0.7363575175690247),
            (13, 20, z95, 0.43285427668523624, 0.818808175898918),
        ] {
            let b = wilson(k, n, z).unwrap();
            close(b.low, low, 1e-12);
            close(b.high, high, 1e-12);
        }
    }

    /// Hand-worked: 2, 4, 4, 4, 5, 5, 7, 9: n = 8, S = 40, Q = 232, s² = (8·232 − 1600)/56 =
    /// 4.571429, se = √(s²/8) = 0.755929; t(7) = 2.364624: 5 ± 1.787488.
    #[test]
    fn mean_by_hand() {
        let t = |df| t_critical(0.95, df);
        let b = mean_t(8, d("40"), d("232"), t).unwrap();
        close(b.low, 5.0 - 1.787488, 2e-6);
        close(b.high, 5.0 + 1.787488, 2e-6);
        assert_eq!(mean_t(1, d("3"), d("9"), t), None);
        assert_eq!(mean_t(0, d("0"), d("0"), t), None);
        // Equal values: no spread, the interval is the value.
        let b = mean_t(3, d("6"), d("12"), t).unwrap();
        assert_eq!((b.low, b.high), (d("2"), d("2")));
    }

    /// `scipy.stats.t.interval(c, n - 1, loc=mean, scale=scipy.stats.sem(x))`, computed once
    /// (scipy 1.17, `scripts/ci_reference.py`) and written here.
    #[test]
    fn mean_matches_scipy() {
        let cases: [(&[i64], f64, f64, f64); 4] = [
            (
                &[2, 4, 4, 4, 5, 5, 7, 9],
                0.95,
                3.21251208176379,
                6.787487918236209,
            ),
            (&[1, 2], 0.95, -4.853102368087347, 7.853102368087347),
            (
                &[10, 12, 9, 11, 13, 8],
                0.99,
                7.420399927495515,
                13.579600072504485,
            ),
            // An NPS-like score: 5 promoters, 3 passives, 2 detractors.
            (
                &[1, 1, 1, 1, 1, 0, 0, 0, -1, -1],
                0.95,
                -0.2889337415864865,
                0.8889337415864864,
            ),
        ];
        for (xs, c, low, high) in cases {
            let n = xs.len() as u64;
            let sum: i64 = xs.iter().sum();
            let sq: i64 = xs.iter().map(|x| x * x).sum();
            let b = mean_t(n, sum.into(), sq.into(), |df| t_critical(c, df)).unwrap();
            close(b.low, low, 1e-11);
            close(b.high, high, 1e-11);
        }
    }
}
