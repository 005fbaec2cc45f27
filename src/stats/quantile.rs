//! The two quantiles confidence intervals need: the standard normal's (Wilson) and Student's
//! t (means). Floating point is used here and only here: through the regularized incomplete
//! gamma and beta functions (continued fractions, Numerical Recipes §6.2 and §6.4, with
//! Lanczos' log-gamma), then bisection on the distribution function. Checked against
//! `scipy.stats` to 1e-12 in the tests below.

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

const EPS: f64 = 1e-16;
const TINY: f64 = 1e-300;

/// Lentz's method for a continued fraction b0 + a1/(b1 + a2/(b2 + …)) given its terms.
fn lentz(terms: impl Fn(usize) -> (f64, f64)) -> f64 {
    let mut f = TINY;
    let mut c = f;
    let mut d = 0.0;
    for m in 1..10_000 {
        let (a, b) = terms(m);
        d = b + a * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + a / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < EPS {
            break;
        }
    }
    f
}

/// The regularized upper incomplete gamma function Q(a, x).
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let front = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        // Series for P(a, x).
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        1.0 - sum * front
    } else {
        // Continued fraction for Q(a, x).
        let cf = lentz(|m| {
            if m == 1 {
                (1.0, x + 1.0 - a)
            } else {
                let i = (m - 1) as f64;
                (-i * (i - a), x + 1.0 - a + 2.0 * i)
            }
        });
        front * cf
    }
}

/// The regularized incomplete beta function I_x(a, b).
fn beta_i(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); else use symmetry.
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - beta_i(b, a, 1.0 - x);
    }
    let cf = lentz(|m| {
        if m == 1 {
            return (1.0, 1.0);
        }
        let k = m - 1;
        let j = (k / 2) as f64;
        let num = if k % 2 == 0 {
            j * (b - j) * x / ((a + 2.0 * j - 1.0) * (a + 2.0 * j))
        } else {
            -(a + j) * (a + b + j) * x / ((a + 2.0 * j) * (a + 2.0 * j + 1.0))
        };
        (num, 1.0)
    });
    front * cf / a
}

/// The standard normal distribution function Φ(x) = erfc(−x/√2)/2 = Q(½, x²/2)/2 for x ≤ 0.
fn normal_cdf(x: f64) -> f64 {
    let tail = 0.5 * gamma_q(0.5, x * x / 2.0);
    if x <= 0.0 {
        tail
    } else {
        1.0 - tail
    }
}

/// Student's t distribution function with `df` degrees of freedom.
fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * beta_i(df / 2.0, 0.5, df / (df + t * t));
    if t <= 0.0 {
        tail
    } else {
        1.0 - tail
    }
}

/// The x > 0 where `cdf(x) = q` (q > ½), by bisection after bracketing.
fn invert(cdf: impl Fn(f64) -> f64, q: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 1.0);
    while cdf(hi) < q && hi < 1e12 {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The two-sided critical value of the standard normal at `confidence` (0.95 → 1.959964…).
pub fn normal_critical(confidence: f64) -> f64 {
    invert(normal_cdf, 0.5 + confidence / 2.0)
}

/// The two-sided critical value of Student's t with `df` degrees of freedom (0.95, 9 →
/// 2.262157…).
pub fn t_critical(confidence: f64, df: u64) -> f64 {
    let df = df as f64;
    invert(|t| t_cdf(t, df), 0.5 + confidence / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol * b.abs().max(1.0), "{a} against {b}");
    }

    /// `scipy.stats.norm.ppf(0.5 + c / 2)` and `scipy.stats.t.ppf(0.5 + c / 2, df)`,
    /// computed once (scipy 1.17, `scripts/ci_reference.py`) and written here.
    #[test]
    fn critical_values_match_scipy() {
        close(normal_critical(0.95), 1.959963984540054, 1e-12);
        close(normal_critical(0.90), 1.6448536269514722, 1e-12);
        close(normal_critical(0.99), 2.5758293035489004, 1e-12);
        close(normal_critical(0.999), 3.2905267314919255, 1e-12);
        close(t_critical(0.95, 1), 12.706204736174694, 1e-12);
        close(t_critical(0.95, 2), 4.302652729749462, 1e-12);
        close(t_critical(0.95, 9), 2.262157162798205, 1e-12);
        close(t_critical(0.95, 29), 2.045229642132703, 1e-12);
        close(t_critical(0.99, 4), 4.604094871349992, 1e-12);
        close(t_critical(0.95, 1000), 1.9623390808264083, 1e-12);
        close(t_critical(0.90, 19), 1.7291328115213682, 1e-12);
        close(t_critical(0.95, 7), 2.364624251592784, 1e-12);
    }

    #[test]
    fn distribution_functions() {
        close(normal_cdf(0.0), 0.5, 1e-15);
        close(normal_cdf(-1.0), 0.15865525393145707, 1e-13);
        close(t_cdf(1.0, 1.0), 0.75, 1e-14);
        close(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln(), 1e-14);
        close(ln_gamma(10.0), 362_880f64.ln(), 1e-14);
    }
}
