/**
 * A small seeded random source (mulberry32), so the emulator's delays and fault draws
 * repeat from run to run with the same seed.
 */

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** A number in [min, max]. */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** True with probability `rate`; never draws when the rate is 0, so unused faults leave the sequence alone. */
  chance(rate: number | undefined): boolean {
    if (!rate) return false;
    return this.next() < rate;
  }
}
