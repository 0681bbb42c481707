"""Regenerate the Teams app icons (color.png 192x192, outline.png 32x32).

The motif is three people at a table: the casusoverleg.
Both icons are drawn from the same shapes, supersampled and scaled down for smooth edges.

    python deployment/teams/make_icons.py

The PNGs are committed; run this only when the design changes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent

# Calm blue; keep in sync with "accentColor" in manifest.template.json.
BACKGROUND = (0x1F, 0x5A, 0x8C)
WHITE = (255, 255, 255)
SUPERSAMPLE = 8


def _motif_mask(size: int, extent: float, heavy: bool = False) -> Image.Image:
    """White-on-black mask of the motif; `extent` = fraction of `size` the motif spans.

    Motif: three people (head and shoulders) side by side behind a table. Shapes are given
    in a unit box [-1, 1] x [-1, 1]. `heavy` widens the gaps for the 32 px outline icon,
    where thin gaps would vanish.
    """
    big = size * SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    unit = big * extent / 2
    gap = 0.12 if heavy else 0.08
    dy = 0.06  # centre the motif vertically

    def box(cx: float, cy: float, r: float) -> tuple[float, float, float, float]:
        x, y = big / 2 + cx * unit, big / 2 + (cy + dy) * unit
        return (x - r * unit, y - r * unit, x + r * unit, y + r * unit)

    def person(
        cx: float,
        head_y: float,
        head_r: float,
        body_y: float,
        body_r: float,
        fill: int,
        grow: float = 0.0,
    ) -> None:
        draw.ellipse(box(cx, head_y, head_r + grow), fill=fill)
        # Shoulders: the upper half of a circle (pieslice from 180 to 360 degrees).
        draw.pieslice(box(cx, body_y, body_r + grow), 180, 360, fill=fill)

    # Two colleagues at the sides, slightly smaller and further back.
    for cx in (-0.60, 0.60):
        person(cx, head_y=-0.40, head_r=0.17, body_y=0.12, body_r=0.31, fill=255)
    # The middle person, with a dark margin so it stands out against the others.
    person(0.0, head_y=-0.52, head_r=0.21, body_y=0.14, body_r=0.40, fill=0, grow=gap)
    person(0.0, head_y=-0.52, head_r=0.21, body_y=0.14, body_r=0.40, fill=255)
    # The table in front of them.
    x0, y0 = big / 2 - 0.98 * unit, big / 2 + (0.14 + gap + dy) * unit
    x1, y1 = big / 2 + 0.98 * unit, big / 2 + (0.40 + gap + dy) * unit
    draw.rounded_rectangle((x0, y0, x1, y1), radius=0.10 * unit, fill=255)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def make_color(size: int = 192) -> Image.Image:
    """Full-colour icon: solid calm-blue background (Teams rounds the corners itself),
    white motif inside the central 120x120 safe area."""
    img = Image.new("RGB", (size, size), BACKGROUND)
    white = Image.new("RGB", (size, size), WHITE)
    img.paste(white, (0, 0), _motif_mask(size, extent=120 / 192))
    return img


def make_outline(size: int = 32) -> Image.Image:
    """Outline icon: white only, on a transparent background (anti-aliased via alpha)."""
    alpha = _motif_mask(size, extent=30 / 32, heavy=True)
    img = Image.new("RGBA", (size, size), (*WHITE, 0))
    img.putalpha(alpha)
    return img


def main() -> None:
    make_color().save(HERE / "color.png", optimize=True)
    make_outline().save(HERE / "outline.png", optimize=True)
    print(f"wrote {HERE / 'color.png'} and {HERE / 'outline.png'}")


if __name__ == "__main__":
    main()
