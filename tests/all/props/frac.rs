//! Exact fractions over 256-bit integers (`ethnum`, already a dependency of kpi) for the
//! reference model: room for 28-digit decimals and their products. Every operation is
//! checked: `None` means the model itself ran out of range, and the case is skipped (and
//! counted), never compared with a rounded value.

use ethnum::I256;
use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Q {
    n: I256,
    d: I256,
}

fn gcd(mut a: I256, mut b: I256) -> I256 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn ten_to(p: u32) -> Option<I256> {
    I256::from(10u8).checked_pow(p)
}

impl Q {
    pub const ZERO: Q = Q {
        n: I256::ZERO,
        d: I256::ONE,
    };

    fn make(n: I256, d: I256) -> Option<Q> {
        if d == 0 {
            return None;
        }
        let g = gcd(n, d).max(I256::ONE);
        let (n, d) = (n / g, d / g);
        if d < 0 {
            Some(Q {
                n: n.checked_neg()?,
                d: d.checked_neg()?,
            })
        } else {
            Some(Q { n, d })
        }
    }

    pub fn new(n: i128, d: i128) -> Option<Q> {
        Q::make(I256::from(n), I256::from(d))
    }

    pub fn int(n: i64) -> Q {
        Q {
            n: I256::from(n),
            d: I256::ONE,
        }
    }

    pub fn is_zero(self) -> bool {
        self.n == 0
    }

    pub fn add(self, o: Q) -> Option<Q> {
        let g = gcd(self.d, o.d);
        let d = (self.d / g).checked_mul(o.d)?;
        let n = self
            .n
            .checked_mul(o.d / g)?
            .checked_add(o.n.checked_mul(self.d / g)?)?;
        Q::make(n, d)
    }

    pub fn neg(self) -> Q {
        Q {
            n: -self.n,
            d: self.d,
        }
    }

    pub fn sub(self, o: Q) -> Option<Q> {
        self.add(o.neg())
    }

    pub fn mul(self, o: Q) -> Option<Q> {
        let g1 = gcd(self.n, o.d).max(I256::ONE);
        let g2 = gcd(o.n, self.d).max(I256::ONE);
        Q::make(
            (self.n / g1).checked_mul(o.n / g2)?,
            (self.d / g2).checked_mul(o.d / g1)?,
        )
    }

    /// `None` on a zero divisor too: callers check for zero first.
    pub fn div(self, o: Q) -> Option<Q> {
        if o.n == 0 {
            return None;
        }
        self.mul(Q { n: o.d, d: o.n })
    }

    pub fn abs(self) -> Q {
        Q {
            n: self.n.abs(),
            d: self.d,
        }
    }

    pub fn floor(self) -> Q {
        Q {
            n: self.n.div_euclid(self.d),
            d: I256::ONE,
        }
    }

    pub fn ceil(self) -> Q {
        self.neg().floor().neg()
    }

    /// Rounded to `places` decimals, halves away from zero.
    pub fn round(self, places: u32) -> Option<Q> {
        let scale = ten_to(places)?;
        let m = self.abs().mul(Q {
            n: scale,
            d: I256::ONE,
        })?;
        // floor(m + 1/2) = floor((2m + 1) / 2)
        let r = m.add(m)?.add(Q::int(1))?.mul(Q::new(1, 2)?)?.floor();
        let r = Q::make(r.n, scale)?;
        Some(if self.n < 0 { r.neg() } else { r })
    }

    pub fn to_f64(self) -> f64 {
        self.n.as_f64() / self.d.as_f64()
    }

    /// The number of decimals of a terminating decimal, `None` for another fraction.
    fn scale(self) -> Option<u32> {
        let (mut d, mut twos, mut fives) = (self.d, 0u32, 0u32);
        while d % 2 == 0 {
            d /= 2;
            twos += 1;
        }
        while d % 5 == 0 {
            d /= 5;
            fives += 1;
        }
        (d == 1).then_some(twos.max(fives))
    }

    /// Whether the value is a decimal of at most `digits` significant digits (what a
    /// 28-digit decimal holds exactly).
    pub fn is_short_decimal(self, digits: u32) -> bool {
        let Some(scale) = self.scale().filter(|s| *s <= 28) else {
            return false;
        };
        let Some(m) = ten_to(scale).and_then(|p| self.n.checked_mul(p / self.d)) else {
            return false;
        };
        m.unsigned_abs().to_string().len() as u32 <= digits
    }

    /// A decimal text (`-1.25`), exact when the value is a terminating decimal, else `n/d`.
    pub fn text(self) -> String {
        let Some((scale, m)) = self
            .scale()
            .and_then(|s| Some((s, self.n.checked_mul(ten_to(s)? / self.d)?)))
        else {
            return format!("{}/{}", self.n, self.d);
        };
        let digits = m.unsigned_abs().to_string();
        let sign = if m < 0 { "-" } else { "" };
        if scale == 0 {
            return format!("{sign}{digits}");
        }
        let s = scale as usize;
        let padded = format!("{digits:0>width$}", width = s + 1);
        let (int, frac) = padded.split_at(padded.len() - s);
        format!("{sign}{int}.{frac}")
    }

    /// Parses a plain decimal text (`-1.25`, `3`, `1e-3`), as kpi's JSON writes numbers.
    pub fn parse(s: &str) -> Option<Q> {
        let (mant, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
            None => (s, 0),
        };
        let (neg, mant) = match mant.strip_prefix('-') {
            Some(m) => (true, m),
            None => (false, mant.strip_prefix('+').unwrap_or(mant)),
        };
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let digits = format!("{int}{frac}");
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let trimmed = digits.trim_start_matches('0');
        let n = if trimmed.is_empty() {
            I256::ZERO
        } else {
            I256::from_str_radix(trimmed, 10).ok()?
        };
        let mut q = Q::make(n, ten_to(frac.len() as u32)?)?;
        let p = Q {
            n: ten_to(exp.unsigned_abs())?,
            d: I256::ONE,
        };
        q = if exp >= 0 { q.mul(p)? } else { q.div(p)? };
        Some(if neg { q.neg() } else { q })
    }

    /// `|self - o|`, computed exactly and only then made a float: right to the last digit
    /// even when the two differ far below a float's precision.
    pub fn dist(self, o: Q) -> Option<f64> {
        Some(self.sub(o)?.abs().to_f64())
    }

    /// The order of two fractions; `None` when the cross products overflow.
    pub fn try_cmp(self, o: Q) -> Option<Ordering> {
        Some(self.n.checked_mul(o.d)?.cmp(&o.n.checked_mul(self.d)?))
    }
}

#[test]
fn fractions_are_exact() {
    let third = Q::new(1, 3).unwrap();
    assert_eq!(third.mul(Q::int(3)), Some(Q::int(1)));
    assert_eq!(Q::parse("-1.250"), Q::new(-5, 4));
    assert_eq!(Q::parse("1e-3"), Q::new(1, 1000));
    assert_eq!(Q::parse("0"), Some(Q::ZERO));
    assert_eq!(Q::new(-5, 4).unwrap().text(), "-1.25");
    assert_eq!(Q::new(1, 20).unwrap().text(), "0.05");
    assert_eq!(Q::new(-1, 3).unwrap().text(), "-1/3");
    assert_eq!(Q::parse("2.5").unwrap().round(0), Some(Q::int(3)));
    assert_eq!(Q::parse("-2.5").unwrap().round(0), Some(Q::int(-3)));
    assert_eq!(Q::parse("-2.45").unwrap().round(1), Q::parse("-2.5"));
    assert_eq!(Q::parse("-2.5").unwrap().floor(), Q::int(-3));
    assert!(!third.is_short_decimal(28));
    assert!(Q::parse("0.125").unwrap().is_short_decimal(28));
    let tiny = Q::parse("0.0000000000000000000000000001").unwrap();
    let big = Q::parse("1000000000000000000000000000").unwrap();
    assert_eq!(big.add(tiny).unwrap().sub(big), Some(tiny));
    let d = big.add(tiny).unwrap().dist(big).unwrap();
    assert!((d - 1e-28).abs() < 1e-40, "{d}");
}
