/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) for the fuzz test: the same seed gives
 * the same requests. Each request draws from its own stream, `forRequest(i)`, so the order in
 * which concurrent requests finish changes nothing, and one request can be replayed alone.
 */

/** splitmix32: spreads a 32-bit seed over the state words. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

export class Random {
  #a: number
  #b: number
  #c: number
  #d: number

  constructor(readonly seed: number) {
    const mix = splitmix32(seed)
    this.#a = mix()
    this.#b = mix()
    this.#c = mix()
    this.#d = mix()
    for (let i = 0; i < 12; i++) this.uint32()
  }

  /** The stream of request `index` of a run seeded with `seed`. */
  static forRequest(seed: number, index: number): Random {
    return new Random((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0)
  }

  uint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0
    this.#d = (this.#d + 1) >>> 0
    this.#a = this.#b ^ (this.#b >>> 9)
    this.#b = (this.#c + (this.#c << 3)) >>> 0
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0
    this.#c = (this.#c + t) >>> 0
    return t
  }

  /** In [0, 1). */
  next(): number {
    return this.uint32() / 0x1_0000_0000
  }

  /** An integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.next() * max)
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick from an empty list')
    return items[this.int(items.length)]
  }

  /** One of `choices`, each as likely as its weight. */
  weighted<T>(choices: readonly (readonly [weight: number, value: T])[]): T {
    const total = choices.reduce((n, [w]) => n + w, 0)
    let r = this.next() * total
    for (const [w, v] of choices) {
      if (r < w) return v
      r -= w
    }
    return choices[choices.length - 1][1]
  }
}

/**
 * The suite's run is reproducible: the same seed unless FUZZ_SEED names another, so a green CI
 * stays green and a red one replays. `FUZZ_SEED=random` explores a new seed (printed on failure).
 */
export const DEFAULT_SEED = 20261121

export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.FUZZ_SEED?.trim()
  if (!given) return DEFAULT_SEED
  if (given !== 'random') {
    const n = Number(given)
    if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new Error(`FUZZ_SEED must be an integer in [0, 2^32), got '${given}'`)
    return n
  }
  return (Math.random() * 0x1_0000_0000) >>> 0
}
