/** Seeded pseudo-random numbers (mulberry32): the same seed gives the same run. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
}

/** Binary min-heap of timed events; ties keep insertion order (deterministic). */
export class EventHeap<T> {
  private readonly items: Array<{ t: number; seq: number; v: T }> = [];
  private seq = 0;
  get size(): number {
    return this.items.length;
  }
  push(t: number, v: T): void {
    const a = this.items;
    a.push({ t, seq: this.seq++, v });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[p], a[i])) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): { t: number; v: T } | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as (typeof a)[number];
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  private less(x: { t: number; seq: number }, y: { t: number; seq: number }): boolean {
    return x.t < y.t || (x.t === y.t && x.seq < y.seq);
  }
}

/** A token bucket: `rate` tokens per second, at most `capacity` stored (a per-second or per-minute quota). */
export class TokenBucket {
  private tokens: number;
  private last = 0;
  constructor(
    readonly rate: number,
    readonly capacity: number,
  ) {
    this.tokens = capacity;
  }
  take(now: number, n = 1): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.rate);
    this.last = now;
    const need = Math.min(n, this.capacity);
    if (this.tokens + 1e-9 < need) return false;
    this.tokens -= need;
    return true;
  }
  /** Settles a taken request at `n` more tokens (negative: given back); the balance may go below zero. */
  charge(now: number, n: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.rate) - n;
    this.last = now;
  }
}
