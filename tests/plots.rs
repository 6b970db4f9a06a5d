//! Figures of a default run: every expected file exists, is a PNG of the
//! stated size and an SVG with the expected title and axis label, and text
//! is drawn with the embedded font even where no font configuration exists.

mod common;
use common::TempDir;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// Every figure of the bundled scenario (2 crossings, 8 commodities):
/// file stem, size in pixels, title text, an axis label.
const FIGURES: &[(&str, (u32, u32), &str, &str)] = &[
    (
        "distribution_direct_loss_usd",
        (1200, 700),
        "Direct loss: distribution across 200 replicates",
        "Direct loss (US$)",
    ),
    (
        "distribution_spoiled_value_usd",
        (1200, 700),
        "Spoiled cargo: distribution across 200 replicates",
        "Value of spoiled cargo (US$)",
    ),
    (
        "distribution_lost_wages_usd",
        (1200, 700),
        "Lost wages: distribution across 200 replicates",
        "Lost wages of crossing workers (US$)",
    ),
    (
        "distribution_workers_exhausting_savings",
        (1200, 700),
        "Workers exhausting savings: distribution across 200 replicates",
        "Workers who exhaust their savings",
    ),
    (
        "distribution_customs_revenue_lost_usd",
        (1200, 700),
        "Customs revenue lost: distribution across 200 replicates",
        "Customs revenue lost (US$)",
    ),
    (
        "peak_price_histograms",
        (1600, 900),
        "Peak price in the importing market, by commodity",
        "Peak price (× normal)",
    ),
    (
        "peak_price_exceedance",
        (1200, 800),
        "Probability the peak price exceeds X",
        "Probability the peak price exceeds X (%)",
    ),
    (
        "fan_backlog_trucks",
        (1200, 700),
        "Trucks waiting at each crossing",
        "Trucks in the queue (end of day)",
    ),
    (
        "fan_price_multiplier",
        (1600, 900),
        "Price in the importing market, by commodity",
        "Price (× normal)",
    ),
    (
        "fan_open_fraction",
        (1200, 700),
        "Share of each crossing's capacity open",
        "Open (% of capacity)",
    ),
    (
        "fan_cumulative_direct_loss_usd",
        (1200, 700),
        "Cumulative direct loss",
        "Direct loss so far (US$)",
    ),
    (
        "breakdown_by_crossing",
        (1200, 700),
        "Where the loss falls: components by crossing",
        "Loss (US$)",
    ),
    (
        "convergence_direct_loss_usd",
        (1200, 700),
        "Convergence: mean direct loss as replicates accumulate",
        "Mean direct loss so far (US$)",
    ),
];

/// Runs the binary with no usable font configuration: text must come from
/// the font compiled into it.
fn bordersim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bordersim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("FONTCONFIG_FILE", "/nonexistent/fonts.conf")
        .env("FONTCONFIG_PATH", "/nonexistent")
        .env("XDG_DATA_HOME", "/nonexistent")
        .output()
        .expect("run bordersim")
}

fn describe(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 33, "PNG too short: {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[8..12], &[0, 0, 0, 13], "IHDR length");
    assert_eq!(&bytes[12..16], b"IHDR", "first chunk is IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// RGB pixels of a PNG.
fn decode(bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    buf.truncate(info.buffer_size());
    (info, buf)
}

/// Dark pixels (text) in a rectangle of an RGB image.
fn dark_pixels(info: &png::OutputInfo, rgb: &[u8], x: (u32, u32), y: (u32, u32)) -> usize {
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let w = info.width as usize;
    let mut n = 0;
    for yy in y.0..y.1 {
        for xx in x.0..x.1 {
            let i = (yy as usize * w + xx as usize) * 3;
            let lum = (rgb[i] as u32 + rgb[i + 1] as u32 + rgb[i + 2] as u32) / 3;
            if lum < 100 {
                n += 1;
            }
        }
    }
    n
}

/// SVG text with the entities plotters writes turned back into characters.
fn svg_text(svg: &str) -> String {
    svg.replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn check_figures(dir: &Path) {
    let fig_dir = dir.join("figures");
    let mut expected: Vec<String> = FIGURES
        .iter()
        .flat_map(|(n, ..)| [format!("{n}.png"), format!("{n}.svg")])
        .collect();
    expected.sort();
    let mut got: Vec<String> = fs::read_dir(&fig_dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", fig_dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    got.sort();
    assert_eq!(got, expected, "files in {}", fig_dir.display());

    for &(name, (w, h), title, axis) in FIGURES {
        let png_bytes = fs::read(fig_dir.join(format!("{name}.png"))).unwrap();
        assert_eq!(png_size(&png_bytes), (w, h), "{name}.png size");
        let (info, rgb) = decode(&png_bytes);
        assert_eq!((info.width, info.height), (w, h), "{name}.png decoded size");
        // The title is drawn top left: its region must hold text pixels.
        let dark = dark_pixels(&info, &rgb, (20, 500), (10, 55));
        assert!(
            dark > 400,
            "{name}.png: title region holds {dark} dark pixels; is text drawn?"
        );

        let svg = fs::read_to_string(fig_dir.join(format!("{name}.svg"))).unwrap();
        assert!(svg.contains("<svg"), "{name}.svg has no <svg element");
        assert!(
            svg.contains(&format!("width=\"{w}\"")) && svg.contains(&format!("height=\"{h}\"")),
            "{name}.svg is not {w}×{h}"
        );
        assert!(svg.trim_end().ends_with("</svg>"), "{name}.svg is complete");
        let text = svg_text(&svg);
        assert!(text.contains(title), "{name}.svg lacks the title {title:?}");
        assert!(
            text.contains(axis),
            "{name}.svg lacks the axis label {axis:?}"
        );
    }
}

#[test]
fn default_run_draws_every_figure() {
    let tmp = TempDir::new("default");
    let out = tmp.join("out");
    let o = bordersim(&["run", "-n", "200", "-q", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", describe(&o));
    check_figures(&out);
    let leftovers: Vec<_> = fs::read_dir(out.join("figures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn no_plots_draws_nothing() {
    let tmp = TempDir::new("no-plots");
    let out = tmp.join("out");
    let o = bordersim(&[
        "run",
        "-n",
        "20",
        "-q",
        "--no-plots",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", describe(&o));
    assert!(!out.join("figures").exists(), "--no-plots wrote figures/");
    assert!(
        !out.join("report.html").exists(),
        "--no-plots wrote report.html"
    );
    assert!(out.join("summary.csv").exists());
}

/// The font comes from the binary: nothing in the dependency tree may look
/// fonts up on the system (font-kit, fontconfig, freetype).
#[test]
fn no_system_font_dependency() {
    let lock = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"))
        .expect("read Cargo.lock");
    for name in [
        "font-kit",
        "yeslogic-fontconfig-sys",
        "servo-fontconfig",
        "freetype",
    ] {
        assert!(
            !lock.contains(&format!("name = \"{name}\"")),
            "Cargo.lock depends on {name}: figures must not need system fonts"
        );
    }
}
