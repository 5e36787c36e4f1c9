/**
 * Runs one bus measure for each side (the port first, then the raw clients),
 * several rounds with the sides taking turns, and prints the figures: medians,
 * the spread, this process's CPU per message, and the port's ratio to each raw
 * side. On a machine shared with other work one run swings widely; the ratio
 * of runs made one right after the other, and CPU per message, swing less.
 */

export interface SideRun {
  seconds: number;
  /** What the broker says afterwards (messages stored, lag). */
  check: string;
}

export interface Side {
  name: string;
  run(round: number): Promise<SideRun>;
}

interface Sample extends SideRun {
  /** This process's CPU time (user + system) during the run, in µs. */
  cpuMicros: number;
}

export const fmt = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface Comparison {
  /** The port's median msgs/s. */
  portRate: number;
  /** Per raw side: its median msgs/s, and the median over rounds of port msgs/s ÷ raw msgs/s. */
  ratios: Array<{ raw: string; rawRate: number; ratio: number }>;
}

/** `sides[0]` is the port; returns its ratio to each other side. */
export async function compareSides(
  title: string,
  sides: readonly Side[],
  rounds: number,
  messages: number,
): Promise<Comparison> {
  const samples: Sample[][] = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, side] of sides.entries()) {
      const before = process.cpuUsage();
      const result = await side.run(round);
      const cpu = process.cpuUsage(before);
      samples[i]!.push({ ...result, cpuMicros: cpu.user + cpu.system });
    }
  }
  const rate = (sample: Sample) => messages / sample.seconds;
  console.log(`\n${title}`);
  console.table(
    sides.map((side, i) => {
      const mine = samples[i]!;
      const rates = mine.map(rate);
      return {
        target: side.name,
        "msgs/s": fmt(median(rates)),
        [`${rounds} round${rounds === 1 ? "" : "s"}`]: `${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))}`,
        "CPU µs/msg": fmt(median(mine.map((sample) => sample.cpuMicros / messages)), 1),
        check: mine[mine.length - 1]!.check,
      };
    }),
  );
  const [port, ...raws] = samples;
  const ratios = raws.map((raw, n) => {
    const perRound = port!.map((sample, round) => rate(sample) / rate(raw[round]!));
    const ratio = median(perRound);
    console.log(
      `port / ${sides[n + 1]!.name}: ${fmt(ratio, 2)} ` +
        `(median of the rounds' ratios: ${perRound.map((r) => fmt(r, 2)).join(", ")})`,
    );
    return { raw: sides[n + 1]!.name, rawRate: median(raw.map(rate)), ratio };
  });
  return { portRate: median(port!.map(rate)), ratios };
}
