/**
 * Real FFT of a fixed power-of-two length in float64: a complex radix-2 FFT of n/2 points on the
 * even/odd-packed input, then the split step that separates the two real spectra. Twiddles and
 * the bit-reversal permutation are precomputed once per size. Only the power spectrum is
 * exposed, because that is all the log-Mel needs.
 */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly bitReversed: Uint32Array;
  /** cos/sin of −2πk/half for k < half/2 (complex stage twiddles). */
  private readonly stageCos: Float64Array;
  private readonly stageSin: Float64Array;
  /** cos/sin of −2πk/size for k ≤ half (split-step twiddles). */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0)
      throw new Error(`RealFft: size ${size} is not a power of two ≥ 4`);
    this.size = size;
    const half = size >> 1;
    this.half = half;
    const bits = Math.log2(half);
    this.bitReversed = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitReversed[i] = r;
    }
    this.stageCos = new Float64Array(half >> 1);
    this.stageSin = new Float64Array(half >> 1);
    for (let k = 0; k < half >> 1; k++) {
      this.stageCos[k] = Math.cos((-2 * Math.PI * k) / half);
      this.stageSin[k] = Math.sin((-2 * Math.PI * k) / half);
    }
    this.splitCos = new Float64Array(half + 1);
    this.splitSin = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.splitCos[k] = Math.cos((-2 * Math.PI * k) / size);
      this.splitSin[k] = Math.sin((-2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
  }

  /**
   * Power spectrum |X_k|² for k = 0..size/2 of the real signal `input` (length `size`), written
   * into `power` (length size/2 + 1).
   */
  powerSpectrum(input: Float64Array, power: Float64Array): void {
    const { half, re, im, bitReversed } = this;
    const quarter = half >> 1;
    // Load even/odd samples as complex values in bit-reversed order, fused with the first
    // (length-2) butterfly: positions i and i+1 hold inputs rev(i) and rev(i) + half/2.
    for (let i = 0; i < half; i += 2) {
      const a = bitReversed[i]!;
      const b = a + quarter;
      const ar = input[2 * a]!;
      const ai = input[2 * a + 1]!;
      const br = input[2 * b]!;
      const bi = input[2 * b + 1]!;
      re[i] = ar + br;
      im[i] = ai + bi;
      re[i + 1] = ar - br;
      im[i + 1] = ai - bi;
    }
    this.transformStages();
    this.splitPower(power);
  }

  /**
   * Power spectrum of `x[offset .. offset + size)` multiplied by `window` (length `size`): the
   * windowing is fused into the load so the frame is never copied.
   */
  windowedPowerSpectrum(x: Float32Array, offset: number, window: Float64Array, power: Float64Array): void {
    const { half, re, im, bitReversed } = this;
    for (let i = 0; i < half; i += 2) {
      const a = 2 * bitReversed[i]!;
      const b = a + half;
      const ar = x[offset + a]! * window[a]!;
      const ai = x[offset + a + 1]! * window[a + 1]!;
      const br = x[offset + b]! * window[b]!;
      const bi = x[offset + b + 1]! * window[b + 1]!;
      re[i] = ar + br;
      im[i] = ai + bi;
      re[i + 1] = ar - br;
      im[i + 1] = ai - bi;
    }
    this.transformStages();
    this.splitPower(power);
  }

  /**
   * Split step: Z = FFT(even + i·odd); E_k = (Z_k + conj Z_{h−k})/2, O_k = (Z_k − conj Z_{h−k})/(2i),
   * X_k = E_k + W^k O_k with W = e^{−2πi/size}; writes |X_k|².
   */
  private splitPower(power: Float64Array): void {
    const { half, re, im, splitCos, splitSin } = this;
    power[0] = (re[0]! + im[0]!) ** 2;
    power[half] = (re[0]! - im[0]!) ** 2;
    for (let k = 1; k < half; k++) {
      const zr = re[k]!;
      const zi = im[k]!;
      const cr = re[half - k]!;
      const ci = -im[half - k]!;
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      // (Z − conj)/(2i): (a + ib)/(2i) = (b − ia)/2
      const or = 0.5 * (zi - ci);
      const oi = -0.5 * (zr - cr);
      const wr = splitCos[k]!;
      const wi = splitSin[k]!;
      const xr = er + wr * or - wi * oi;
      const xi = ei + wr * oi + wi * or;
      power[k] = xr * xr + xi * xi;
    }
  }

  /**
   * The remaining stages of the in-place complex FFT of `half` points (after the fused load and
   * length-2 stage): pairs of radix-2 stages fused into radix-2² passes (half the memory
   * traffic), and a last radix-2 stage when the number of stages left is odd.
   */
  private transformStages(): void {
    const { half, re, im, stageCos, stageSin } = this;
    // Fused stages of lengths 2q and 4q: x0..x3 at k, k+q, k+2q, k+3q of each block of 4q.
    let q = 2;
    for (; 4 * q <= half; q *= 4) {
      const block = 4 * q;
      const step = half / block; // W_{4q}^k = W_half^{k·step}
      for (let k = 0; k < q; k++) {
        const w1r = stageCos[k * step]!;
        const w1i = stageSin[k * step]!;
        const w2r = stageCos[2 * k * step]!;
        const w2i = stageSin[2 * k * step]!;
        for (let start = k; start < half; start += block) {
          const i1 = start + q;
          const i2 = i1 + q;
          const i3 = i2 + q;
          const x1r = re[i1]!;
          const x1i = im[i1]!;
          const x3r = re[i3]!;
          const x3i = im[i3]!;
          const t1r = w2r * x1r - w2i * x1i;
          const t1i = w2r * x1i + w2i * x1r;
          const t3r = w2r * x3r - w2i * x3i;
          const t3i = w2r * x3i + w2i * x3r;
          const x0r = re[start]!;
          const x0i = im[start]!;
          const x2r = re[i2]!;
          const x2i = im[i2]!;
          const y0r = x0r + t1r;
          const y0i = x0i + t1i;
          const y1r = x0r - t1r;
          const y1i = x0i - t1i;
          const y2r = x2r + t3r;
          const y2i = x2i + t3i;
          const y3r = x2r - t3r;
          const y3i = x2i - t3i;
          // u2 = W^k·y2, u3 = W^k·(−i)·y3
          const u2r = w1r * y2r - w1i * y2i;
          const u2i = w1r * y2i + w1i * y2r;
          const u3r = w1r * y3i + w1i * y3r;
          const u3i = w1i * y3i - w1r * y3r;
          re[start] = y0r + u2r;
          im[start] = y0i + u2i;
          re[i2] = y0r - u2r;
          im[i2] = y0i - u2i;
          re[i1] = y1r + u3r;
          im[i1] = y1i + u3i;
          re[i3] = y1r - u3r;
          im[i3] = y1i - u3i;
        }
      }
    }
    // A remaining single radix-2 stage of length 2q (when the stage count after the first is odd).
    if (2 * q <= half) {
      const step = half / (2 * q);
      for (let k = 0; k < q; k++) {
        const wr = stageCos[k * step]!;
        const wi = stageSin[k * step]!;
        for (let a = k; a < half; a += 2 * q) {
          const b = a + q;
          const br = re[b]!;
          const bi = im[b]!;
          const tr = wr * br - wi * bi;
          const ti = wr * bi + wi * br;
          const ar = re[a]!;
          const ai = im[a]!;
          re[a] = ar + tr;
          im[a] = ai + ti;
          re[b] = ar - tr;
          im[b] = ai - ti;
        }
      }
    }
  }
}
