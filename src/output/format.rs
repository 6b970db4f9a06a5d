//! Human-readable numbers: `$12.4M`, `3,410 trucks`, `1.82×`.

/// Thousands separators: `1234567.8` → `1,234,568`.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if neg && out != "0" {
        format!("-{out}")
    } else {
        out
    }
}

/// Three significant figures with a k/M/B suffix: `12400000` → `12.4M`.
pub fn compact(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    let (v, suffix) = if a >= 1e9 {
        (x / 1e9, "B")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let va = v.abs();
    let s = if va >= 100.0 || (suffix.is_empty() && va == va.round()) {
        format!("{v:.0}")
    } else if va >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    format!("{s}{suffix}")
}

/// US dollars, compact: `$12.4M`, `-$310k`.
pub fn usd(x: f64) -> String {
    if x < 0.0 {
        format!("-${}", compact(-x))
    } else {
        format!("${}", compact(x))
    }
}

/// A value in its unit, for terminals and reports.
pub fn with_unit(x: f64, unit: &str) -> String {
    match unit {
        "USD" => usd(x),
        "×" => format!("{x:.2}×"),
        "share" => format!("{:.2}%", x * 100.0),
        "days" => format!("{x:.1} days"),
        u => format!(
            "{} {u}",
            if x.abs() >= 1000.0 {
                thousands(x)
            } else {
                compact(x)
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(1234567.8), "1,234,568");
        assert_eq!(thousands(-999.0), "-999");
        assert_eq!(thousands(0.2), "0");
        assert_eq!(usd(12_400_000.0), "$12.4M");
        assert_eq!(usd(-310_000.0), "-$310k");
        assert_eq!(usd(1_500.0), "$1.50k");
        assert_eq!(usd(950.0), "$950");
        assert_eq!(compact(2.5e9), "2.50B");
        assert_eq!(with_unit(3410.0, "trucks"), "3,410 trucks");
        assert_eq!(with_unit(1.8234, "×"), "1.82×");
    }
}
