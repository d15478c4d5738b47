//! Charts as SVG geometry computed here and drawn by the `bar_chart` and `line_chart`
//! partials: pages show them without script, and nothing but numbers and escaped labels
//! reaches the markup.

use serde::Serialize;

/// The drawing area, in SVG user units (the SVG scales to its box).
pub const WIDTH: f64 = 600.0;
pub const HEIGHT: f64 = 160.0;

/// A bar chart: one bar per value, the largest as tall as the chart.
#[derive(Debug, Clone, Serialize)]
pub struct BarChart {
    pub title: String,
    pub width: f64,
    pub height: f64,
    pub bars: Vec<Bar>,
    /// The value of a full-height bar, as shown.
    pub max_text: String,
    pub first_label: String,
    pub last_label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    /// Shown on hover: the label and the value with its unit.
    pub tip: String,
}

/// `values` as `(label, value)`; `show` writes a value with its unit.
pub fn bars(title: &str, values: &[(String, f64)], show: impl Fn(f64) -> String) -> BarChart {
    let max = values.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let slot = WIDTH / values.len().max(1) as f64;
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let h = if max > 0.0 {
                (v / max) * (HEIGHT - 2.0)
            } else {
                0.0
            };
            Bar {
                x: round(i as f64 * slot + slot * 0.1),
                y: round(HEIGHT - h),
                w: round(slot * 0.8),
                h: round(h),
                tip: format!("{label}: {}", show(*v)),
            }
        })
        .collect();
    BarChart {
        title: title.to_owned(),
        width: WIDTH,
        height: HEIGHT,
        bars,
        max_text: show(max),
        first_label: values.first().map(|(l, _)| l.clone()).unwrap_or_default(),
        last_label: values.last().map(|(l, _)| l.clone()).unwrap_or_default(),
    }
}

/// A line chart over time: points scaled into the area, the lowest value at the bottom.
#[derive(Debug, Clone, Serialize)]
pub struct LineChart {
    pub title: String,
    pub width: f64,
    pub height: f64,
    /// `x,y x,y …` for a polyline; empty when there are fewer than two points.
    pub points: String,
    pub min_text: String,
    pub max_text: String,
    pub first_label: String,
    pub last_label: String,
    /// The newest value, as shown.
    pub last_text: String,
    pub count: usize,
}

/// `series` as `(seconds, value)` in time order, labelled by `label` (for the first and last
/// point) and shown by `show`. The bottom of the chart is 0, or with `!from_zero` the lowest
/// value (a meter register that only grows).
pub fn line(
    title: &str,
    from_zero: bool,
    series: &[(i64, f64)],
    label: impl Fn(i64) -> String,
    show: impl Fn(f64) -> String,
) -> LineChart {
    let (t0, t1) = match (series.first(), series.last()) {
        (Some(a), Some(b)) => (a.0, b.0),
        _ => (0, 0),
    };
    let lo = series.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = series.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = match (series.is_empty(), from_zero) {
        (true, _) => (0.0, 0.0),
        (false, true) => (lo.min(0.0), hi),
        (false, false) => (lo, hi),
    };
    let span_t = (t1 - t0).max(1) as f64;
    let span_v = if hi > lo { hi - lo } else { 1.0 };
    let points = if series.len() < 2 {
        String::new()
    } else {
        series
            .iter()
            .map(|(t, v)| {
                let x = (t - t0) as f64 / span_t * WIDTH;
                let y = HEIGHT - 1.0 - (v - lo) / span_v * (HEIGHT - 2.0);
                format!("{},{}", round(x), round(y))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    LineChart {
        title: title.to_owned(),
        width: WIDTH,
        height: HEIGHT,
        points,
        min_text: show(lo),
        max_text: show(hi),
        first_label: series.first().map(|p| label(p.0)).unwrap_or_default(),
        last_label: series.last().map(|p| label(p.0)).unwrap_or_default(),
        last_text: series.last().map(|p| show(p.1)).unwrap_or_default(),
        count: series.len(),
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_bar_fills_the_chart_and_zeros_are_flat() {
        let c = bars(
            "kWh",
            &[("a".into(), 0.0), ("b".into(), 5.0), ("c".into(), 10.0)],
            |v| format!("{v} kWh"),
        );
        assert_eq!(c.bars[0].h, 0.0);
        assert_eq!(c.bars[2].h, HEIGHT - 2.0);
        assert_eq!(c.bars[1].h, (HEIGHT - 2.0) / 2.0);
        assert_eq!(c.bars[2].tip, "c: 10 kWh");
        assert_eq!(c.max_text, "10 kWh");
        let empty = bars("x", &[("a".into(), 0.0)], |v| v.to_string());
        assert_eq!(empty.bars[0].h, 0.0);
    }

    #[test]
    fn lines_span_the_area_from_first_to_last_point() {
        let t = |t: i64| t.to_string();
        let v = |v: f64| v.to_string();
        let c = line("W", true, &[(0, 0.0), (50, 5.0), (100, 10.0)], t, v);
        assert_eq!(c.points, "0,159 300,80 600,1");
        assert_eq!(c.last_text, "10");
        assert_eq!(line("W", true, &[(0, 1.0)], t, v).points, "");
        let register = line("Wh", false, &[(0, 1000.0), (100, 1010.0)], t, v);
        assert_eq!(register.points, "0,159 600,1");
        assert_eq!(register.min_text, "1000");
    }
}
