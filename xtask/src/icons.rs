//! Renders Broadsheet's app icons from `assets/icon.svg` (the favicon) as PNG files.
//!
//! `resvg` draws the SVG at each size and tiny-skia writes the PNG. `cargo xtask icons` writes
//! them into `assets/icons/`, where they are committed; a test checks the committed files still
//! match the SVG. The SVG's letter is an outline (a `<path>`), not `<text>`: resvg is built
//! without fonts, so every machine draws the same "B" whatever fonts it has installed.

use anyhow::{bail, Context as _, Result};
use std::{fs, path::Path};

use resvg::{
    tiny_skia::{Color, Pixmap, Transform},
    usvg,
};

/// The tile colour (also the manifest's `background_color` and `theme_color`), behind the
/// maskable icon.
const TILE: [u8; 3] = [0x1b, 0x1b, 0x1b];

/// One icon file: its name under `assets/icons/`, its size in pixels, and whether it is
/// maskable (full-bleed tile, letter inside the safe zone) or the rounded tile on transparency.
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

/// Renders `assets/icon.svg` into every icon in `dir`.
pub fn write_all(dir: &Path) -> Result<()> {
    let svg_path = crate::root().join("assets/icon.svg");
    let svg = fs::read(&svg_path).with_context(|| format!("read {}", svg_path.display()))?;
    fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    for icon in &ICONS {
        let png = render(&svg, icon.size, icon.maskable)
            .and_then(|pixmap| pixmap.encode_png().context("encode the PNG"))
            .with_context(|| format!("{} from {}", icon.name, svg_path.display()))?;
        let path = dir.join(icon.name);
        fs::write(&path, &png).with_context(|| format!("write {}", path.display()))?;
        println!("    wrote {} ({} bytes)", path.display(), png.len());
    }
    Ok(())
}

/// The square SVG `svg` drawn at `size`×`size`: as it is (the rounded tile on transparency),
/// or for a maskable icon over a full-bleed tile, so that a launcher's mask of any shape cuts
/// only tile; the letter must then lie inside the safe zone, which the tests check.
pub fn render(svg: &[u8], size: u32, maskable: bool) -> Result<Pixmap> {
    // Without resvg's `text` feature `<text>` would be dropped silently: refuse it instead.
    if String::from_utf8_lossy(svg).contains("<text") {
        bail!("has <text>: outline it as a <path> (no fonts are loaded)");
    }
    let tree = usvg::Tree::from_data(svg, &usvg::Options::default())?;
    let (width, height) = (tree.size().width(), tree.size().height());
    if width != height {
        bail!("is {width}×{height}, not square");
    }
    let mut pixmap = Pixmap::new(size, size).context("empty icon size")?;
    if maskable {
        let [r, g, b] = TILE;
        pixmap.fill(Color::from_rgba8(r, g, b, 255));
    }
    let scale = size as f32 / width;
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    Ok(pixmap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg() -> Vec<u8> {
        fs::read(crate::root().join("assets/icon.svg")).unwrap()
    }

    /// The straight (not premultiplied) RGBA of the pixel at (`x`, `y`).
    fn px(pixmap: &Pixmap, x: u32, y: u32) -> [u8; 4] {
        let c = pixmap.pixel(x, y).unwrap().demultiply();
        [c.red(), c.green(), c.blue(), c.alpha()]
    }

    /// The maskable safe zone: a centred circle whose radius is this fraction of the size.
    const SAFE_RADIUS: f32 = 0.4;
    const INK: [u8; 4] = [0xfd, 0xfd, 0xfc, 255];
    const TILE_RGBA: [u8; 4] = [TILE[0], TILE[1], TILE[2], 255];

    #[test]
    fn the_committed_icons_are_what_the_svg_renders() {
        let svg = svg();
        let dir = crate::root().join("assets/icons");
        for icon in &ICONS {
            let png = fs::read(dir.join(icon.name))
                .unwrap_or_else(|e| panic!("{}: {e} (run cargo xtask icons)", icon.name));
            let committed = Pixmap::decode_png(&png).unwrap();
            assert_eq!(
                (committed.width(), committed.height()),
                (icon.size, icon.size),
                "{}",
                icon.name
            );
            // Through PNG and back, as the committed file went.
            let fresh = render(&svg, icon.size, icon.maskable).unwrap();
            let fresh = Pixmap::decode_png(&fresh.encode_png().unwrap()).unwrap();
            // Within 2 of 255 per channel: tiny-skia's SIMD paths may round differently on
            // another CPU; a changed SVG moves whole edges.
            let worst = committed
                .data()
                .iter()
                .zip(fresh.data())
                .map(|(a, b)| a.abs_diff(*b))
                .max()
                .unwrap();
            assert!(worst <= 2, "{} is stale: run cargo xtask icons", icon.name);
        }
    }

    #[test]
    fn tiles_letters_and_corners_where_they_belong() {
        let svg = svg();
        for size in [192, 512] {
            // In units of the SVG's 64×64 grid.
            let at = |x: f32, y: f32| {
                (
                    (x * size as f32 / 64.0) as u32,
                    (y * size as f32 / 64.0) as u32,
                )
            };
            for maskable in [false, true] {
                let icon = render(&svg, size, maskable).unwrap();
                assert_eq!((icon.width(), icon.height()), (size, size));
                let (x, y) = at(0.0, 0.0);
                let corner = if maskable { TILE_RGBA } else { [0, 0, 0, 0] };
                assert_eq!(px(&icon, x, y), corner, "{size} {maskable}: corner");
                let (x, y) = at(32.0, 4.0);
                assert_eq!(px(&icon, x, y), TILE_RGBA, "{size} {maskable}: tile");
                let (x, y) = at(24.5, 32.0);
                assert_eq!(px(&icon, x, y), INK, "{size} {maskable}: stem");
                let (x, y) = at(32.5, 30.2);
                assert_eq!(px(&icon, x, y), INK, "{size} {maskable}: middle bar");
                let (x, y) = at(32.0, 24.0);
                assert_eq!(
                    px(&icon, x, y),
                    TILE_RGBA,
                    "{size} {maskable}: upper counter"
                );
                let (x, y) = at(32.0, 37.5);
                assert_eq!(
                    px(&icon, x, y),
                    TILE_RGBA,
                    "{size} {maskable}: lower counter"
                );
            }
        }
    }

    #[test]
    fn the_maskable_icon_is_plain_tile_outside_the_safe_zone() {
        let size = 512;
        let icon = render(&svg(), size, true).unwrap();
        let (centre, radius) = (size as f32 / 2.0, SAFE_RADIUS * size as f32);
        let mut inked = 0;
        for y in 0..size {
            for x in 0..size {
                let d = (x as f32 + 0.5 - centre).hypot(y as f32 + 0.5 - centre);
                let pixel = px(&icon, x, y);
                if d >= radius {
                    assert_eq!(pixel, TILE_RGBA, "({x},{y}) outside the safe zone");
                } else if pixel == INK {
                    inked += 1;
                }
            }
        }
        assert!(inked > 10_000, "the letter is drawn ({inked} pixels)");
    }

    #[test]
    fn the_tile_is_the_manifests_background_and_theme_colour() {
        let manifest = fs::read(crate::root().join("assets/manifest.webmanifest")).unwrap();
        let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        let tile = format!("#{:02x}{:02x}{:02x}", TILE[0], TILE[1], TILE[2]);
        assert_eq!(manifest["background_color"], tile.as_str());
        assert_eq!(manifest["theme_color"], tile.as_str());
    }

    #[test]
    fn text_is_refused() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><text x="32" y="46">B</text></svg>"#;
        assert!(render(svg, 64, false)
            .unwrap_err()
            .to_string()
            .contains("<text>"));
    }
}
