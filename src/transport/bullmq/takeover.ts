/**
 * How soon a job whose worker stopped renewing it (killed, frozen) goes to
 * another worker. BullMQ's stalled check, run by one worker at a time every
 * stalledInterval, moves a job back to the queue when it finds it at two
 * checks in a row with no lock; a dead worker's lock lapses at most
 * lockDuration after its last renewal. When the dead worker was the one
 * running the checks, the next comes up to twice stalledInterval late, so the
 * job waits up to max(3 × stalledInterval, lockDuration + stalledInterval):
 * three lockDurations with BullMQ's own pairing (stalledInterval =
 * lockDuration), the 78 s seen at the default 30 s. Checking every third of
 * the lock makes it 4/3 lockDuration, which leaves the README's bound of
 * 1.5 × lockDuration room for late timers on a busy machine.
 */

/** A worker's lock settings: it renews its locks every lockDuration / 2 (BullMQ's default) and checks for lapsed ones every third. */
export function lockOptions(lockDuration: number): {
  lockDuration: number;
  stalledInterval: number;
} {
  return { lockDuration, stalledInterval: Math.ceil(lockDuration / 3) };
}
