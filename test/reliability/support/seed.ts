import { seededRandom } from "../../runtime/lambda/support/events";

/** Environment variable that replays a run: `RELIABILITY_SEED=1234 npx mocha test/reliability`. */
export const SEED_VARIABLE = "RELIABILITY_SEED";

/**
 * A seeded pseudo-random generator for one scenario, and its seed (printed, so a failure can be
 * reproduced): `RELIABILITY_SEED` when set, else a fresh one.
 */
export function scenarioRandom(scenario: string): { seed: number; random: () => number } {
  const given = process.env[SEED_VARIABLE];
  const seed = given !== undefined && /^\d+$/.test(given) ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  process.stdout.write(`      [${scenario}] seed ${seed} (${SEED_VARIABLE}=${seed} replays it)\n`);
  return { seed, random: seededRandom(seed) };
}

/** Helpers over a generator in [0, 1). */
export class Draw {
  public constructor(public readonly random: () => number) {}

  /** A whole number in [min, max]. */
  public int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  public pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  public chance(p: number): boolean {
    return this.random() < p;
  }

  /** A string of `length` characters from `alphabet` (default: printable ASCII and a few multi-byte ones). */
  public text(
    length: number,
    alphabet = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~é€😀\u0000\n",
  ): string {
    const characters = [...alphabet];
    let text = "";
    for (let i = 0; i < length; i++) text += characters[Math.floor(this.random() * characters.length)];
    return text;
  }
}
