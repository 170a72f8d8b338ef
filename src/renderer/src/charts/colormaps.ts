/**
 * Colour maps: a perceptual sequential map for spectrograms (magma: dark = quiet, bright = loud,
 * readable in grey and with colour-vision deficiencies) and a diverging map centred on 0 for the
 * difference from normal (blue = below normal, white = normal, red = above).
 */

type Rgb = [number, number, number];

/** Magma, sampled at 9 evenly spaced points (matplotlib's values). */
const MAGMA: Rgb[] = [
  [0, 0, 4],
  [28, 16, 68],
  [79, 18, 123],
  [129, 37, 129],
  [181, 54, 122],
  [229, 80, 100],
  [251, 135, 97],
  [254, 194, 135],
  [252, 253, 191],
];

/** Blue–white–red (ColorBrewer RdBu reversed), 7 points. */
export const DIVERGING = ['#2166ac', '#67a9cf', '#d1e5f0', '#f7f7f7', '#fddbc7', '#ef8a62', '#b2182b'];

/** Linear interpolation of `anchors` into `n` colours, channels 0…1 with alpha 1 (wavesurfer's format). */
export function interpolateColormap(anchors: readonly Rgb[], n = 256): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const pos = (i / (n - 1)) * (anchors.length - 1);
    const k = Math.min(anchors.length - 2, Math.floor(pos));
    const f = pos - k;
    const a = anchors[k]!;
    const b = anchors[k + 1]!;
    out.push([0, 1, 2].map((c) => (a[c]! + (b[c]! - a[c]!) * f) / 255).concat(1));
  }
  return out;
}

export const magmaColormap = (): number[][] => interpolateColormap(MAGMA);
