//! Draws Broadsheet's app icons (a bold "B" on the dark tile of `assets/icon.svg`) as PNG files.
//!
//! No image tools are installed on the build machines, so the icons are rasterised here from a
//! few geometric shapes on a 64-unit grid, anti-aliased by 4×4 supersampling, and written as
//! 8-bit RGBA PNGs (zlib by `miniz_oxide`, CRC-32 below). `cargo xtask icons` writes them into
//! `assets/icons/`, where they are committed; a test checks the committed files still match.

use std::{fs, io, path::Path};

/// The tile colour (also the manifest's `background_color` and `theme_color`).
const TILE: [u8; 3] = [0x1b, 0x1b, 0x1b];
/// The letter colour.
const INK: [u8; 3] = [0xfd, 0xfd, 0xfc];

/// One icon file: its name under `assets/icons/`, its size in pixels, and whether it is
/// maskable (full-bleed tile, letter inside the safe zone) or a rounded tile on transparency.
pub struct Icon {
    /// File name, e.g. `icon-192.png`.
    pub name: &'static str,
    /// Width and height in pixels.
    pub size: u32,
    /// Full-bleed for `purpose: "maskable"`.
    pub maskable: bool,
}

/// The icons the web app manifest lists.
pub const ICONS: [Icon; 3] = [
    Icon {
        name: "icon-192.png",
        size: 192,
        maskable: false,
    },
    Icon {
        name: "icon-512.png",
        size: 512,
        maskable: false,
    },
    Icon {
        name: "maskable-512.png",
        size: 512,
        maskable: true,
    },
];

/// Writes every icon into `dir`.
pub fn write_all(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    for icon in &ICONS {
        let png = encode_png(icon.size, &draw(icon.size, icon.maskable));
        fs::write(dir.join(icon.name), &png)?;
        println!(
            "    wrote {} ({} bytes)",
            dir.join(icon.name).display(),
            png.len()
        );
    }
    Ok(())
}

/// RGBA pixels, row by row, of the icon at `size`×`size`.
pub fn draw(size: u32, maskable: bool) -> Vec<u8> {
    const SAMPLES: u32 = 4;
    let scale = 64.0 / size as f64;
    let mut rgba = Vec::with_capacity((size * size * 4) as usize);
    for py in 0..size {
        for px in 0..size {
            let (mut tile, mut ink) = (0u32, 0u32);
            for sy in 0..SAMPLES {
                for sx in 0..SAMPLES {
                    let x = (px as f64 + (sx as f64 + 0.5) / SAMPLES as f64) * scale;
                    let y = (py as f64 + (sy as f64 + 0.5) / SAMPLES as f64) * scale;
                    if maskable || in_rounded_tile(x, y) {
                        tile += 1;
                        if in_letter(x, y) {
                            ink += 1;
                        }
                    }
                }
            }
            let all = SAMPLES * SAMPLES;
            if tile == 0 {
                rgba.extend_from_slice(&[0, 0, 0, 0]);
                continue;
            }
            // Blend ink over tile among the covered samples; coverage of the tile is alpha.
            for c in 0..3 {
                let v = (TILE[c] as u32 * (tile - ink) + INK[c] as u32 * ink) / tile;
                rgba.push(v as u8);
            }
            rgba.push(((tile * 255 + all / 2) / all) as u8);
        }
    }
    rgba
}

/// The 64×64 tile with 12-unit rounded corners, as in `assets/icon.svg`.
fn in_rounded_tile(x: f64, y: f64) -> bool {
    const R: f64 = 12.0;
    let cx = x.clamp(R, 64.0 - R);
    let cy = y.clamp(R, 64.0 - R);
    (x - cx).powi(2) + (y - cy).powi(2) <= R * R
}

/// A bold sans-serif "B": a stem and two D-shaped bowls with 6-unit strokes, 36 units tall,
/// centred on the tile and well inside a maskable icon's safe circle (radius 25.6 units).
fn in_letter(x: f64, y: f64) -> bool {
    const LEFT: f64 = 19.5;
    const STROKE: f64 = 6.0;
    const TOP: f64 = 14.0;
    const BOTTOM: f64 = 50.0;
    const JOIN: f64 = 27.0; // top of the middle stroke
    let stem = (LEFT..=LEFT + STROKE).contains(&x) && (TOP..=BOTTOM).contains(&y);
    let upper_outer = d_shape(x, y, LEFT, 33.0, TOP, JOIN + STROKE);
    let upper_hole = d_shape(x, y, LEFT + STROKE, 33.0, TOP + STROKE, JOIN);
    let lower_outer = d_shape(x, y, LEFT, 32.5, JOIN, BOTTOM);
    let lower_hole = d_shape(x, y, LEFT + STROKE, 32.5, JOIN + STROKE, BOTTOM - STROKE);
    stem || (upper_outer && !upper_hole) || (lower_outer && !lower_hole)
}

/// A rectangle from `left` to `straight` between `top` and `bottom`, closed on the right by a
/// half disc.
fn d_shape(x: f64, y: f64, left: f64, straight: f64, top: f64, bottom: f64) -> bool {
    let r = (bottom - top) / 2.0;
    let cy = top + r;
    if x < left || y < top || y > bottom {
        return false;
    }
    x <= straight || (x - straight).powi(2) + (y - cy).powi(2) <= r * r
}

/// An 8-bit RGBA PNG of `rgba` (`size`×`size`), every row with filter type 0.
pub fn encode_png(size: u32, rgba: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(rgba.len() + size as usize);
    for row in rgba.chunks(size as usize * 4) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // depth 8, RGBA, deflate, filter 0, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &miniz_oxide::deflate::compress_to_vec_zlib(&raw, 10),
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    png.extend_from_slice(&crc32(&crc_input).to_be_bytes());
}

/// CRC-32 (ISO-HDLC, as PNG uses), bit by bit: the icons are small.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    /// The PNG's pixels, read back: signature, IHDR, one IDAT, IEND, each CRC checked.
    fn decode(png: &[u8]) -> (u32, Vec<u8>) {
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let (mut at, mut size, mut idat) = (8, 0, Vec::new());
        while at < png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            let kind = &png[at + 4..at + 8];
            let data = &png[at + 8..at + 8 + len];
            let crc = u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap());
            assert_eq!(crc, crc32(&png[at + 4..at + 8 + len]));
            match kind {
                b"IHDR" => {
                    size = u32::from_be_bytes(data[..4].try_into().unwrap());
                    assert_eq!(&data[8..], &[8, 6, 0, 0, 0]);
                }
                b"IDAT" => idat.extend_from_slice(data),
                b"IEND" => assert_eq!(at + 12 + len, png.len()),
                other => panic!("unexpected chunk {other:?}"),
            }
            at += 12 + len;
        }
        let raw = miniz_oxide::inflate::decompress_to_vec_zlib(&idat).unwrap();
        let rows: Vec<u8> = raw
            .chunks(size as usize * 4 + 1)
            .flat_map(|row| {
                assert_eq!(row[0], 0);
                row[1..].to_vec()
            })
            .collect();
        (size, rows)
    }

    #[test]
    fn the_committed_icons_are_what_the_generator_draws() {
        let dir = crate::root().join("assets/icons");
        for icon in &ICONS {
            let png = fs::read(dir.join(icon.name))
                .unwrap_or_else(|e| panic!("{}: {e} (run cargo xtask icons)", icon.name));
            let (size, pixels) = decode(&png);
            assert_eq!(size, icon.size, "{}", icon.name);
            assert!(
                pixels == draw(icon.size, icon.maskable),
                "{} is stale: run cargo xtask icons",
                icon.name
            );
        }
    }

    #[test]
    fn tiles_letters_and_corners_where_they_belong() {
        let px = |rgba: &[u8], size: u32, x: u32, y: u32| {
            let i = ((y * size + x) * 4) as usize;
            rgba[i..i + 4].to_vec()
        };
        let rounded = draw(64, false);
        assert_eq!(
            px(&rounded, 64, 0, 0),
            [0, 0, 0, 0],
            "corner is transparent"
        );
        assert_eq!(px(&rounded, 64, 32, 4), [0x1b, 0x1b, 0x1b, 255], "tile");
        assert_eq!(px(&rounded, 64, 22, 32), [0xfd, 0xfd, 0xfc, 255], "stem");
        assert_eq!(
            px(&rounded, 64, 30, 23),
            [0x1b, 0x1b, 0x1b, 255],
            "upper counter"
        );
        let maskable = draw(64, true);
        assert_eq!(
            px(&maskable, 64, 0, 0),
            [0x1b, 0x1b, 0x1b, 255],
            "full bleed"
        );
        // Every inked sample lies inside the maskable safe zone (a centred circle of 80%).
        for y in 0..64 {
            for x in 0..64 {
                if in_letter(x as f64 + 0.5, y as f64 + 0.5) {
                    let d =
                        ((x as f64 + 0.5 - 32.0).powi(2) + (y as f64 + 0.5 - 32.0).powi(2)).sqrt();
                    assert!(d < 25.6, "({x},{y}) outside the safe zone");
                }
            }
        }
    }
}
