import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { tempPathFor } from './durable-write.js';
import { openNewFileNoFollow, removeFile } from './safe-fs.js';

/**
 * What tells a file's content apart without reading it — git's stat test for
 * its index: device, inode, size, and change and modification times in
 * nanoseconds. A rename-replace makes a new inode; an in-place rewrite moves
 * ctime and mtime. `racy` marks an identity taken so soon after the file's
 * last change that a later change could carry the same timestamps (file
 * systems that stamp with a coarse clock): it is confirmed by the bytes once
 * before it is trusted alone.
 */
export interface FileIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  racy: boolean;
}

/** The identity in `st`, taken now, on a file system whose timestamps step by `granularityNs`. */
export function identityOf(st: BigIntStats, granularityNs: bigint, nowNs = wallClockNs()): FileIdentity {
  const changed = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
  // With a step of 0 any change after the stat gets a later stamp, so there is no racy window; the
  // wall clock (whole milliseconds) must not be compared then: a stamp of this millisecond reads as ahead of it.
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, racy: granularityNs > 0n && changed + granularityNs >= nowNs };
}

/** True when `st` shows the file `known` describes, unchanged (racy or not). */
export function sameIdentity(known: FileIdentity, st: BigIntStats): boolean {
  return known.ino === st.ino && known.dev === st.dev && known.size === st.size && known.mtimeNs === st.mtimeNs && known.ctimeNs === st.ctimeNs;
}

function wallClockNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Assumed step of a coarse file system clock: a few kernel ticks (4 ms at 250 Hz, 10 ms at 100 Hz). */
const COARSE_STEP_NS = 25_000_000n;
const PROBE_WRITES = 16;
const granularity = new Map<string, Promise<bigint>>();

/**
 * The step of the timestamps files in `dir` get, as far as the identity test
 * needs it: 0 when every change after a stat gets a later timestamp (Linux's
 * multigrain timestamps on ext4, xfs, btrfs and tmpfs since 6.13; file systems
 * with nanosecond clocks), else {@link COARSE_STEP_NS}. Found once per folder
 * and process by rewriting a temp file in it, with a stat between writes.
 */
export function timestampGranularity(dir: string): Promise<bigint> {
  let found = granularity.get(dir);
  if (!found) {
    found = probeGranularity(dir).catch(() => COARSE_STEP_NS);
    granularity.set(dir, found);
  }
  return found;
}

async function probeGranularity(dir: string): Promise<bigint> {
  const temp = tempPathFor(path.join(dir, 'tasks.json'));
  const handle = await openNewFileNoFollow(temp, 0o600, true);
  try {
    let previous: bigint | undefined;
    for (let i = 0; i < PROBE_WRITES; i++) {
      await handle.write(Buffer.from([i]), 0, 1, 0);
      const { mtimeNs } = await handle.stat({ bigint: true });
      // Two writes a few microseconds apart with the same stamp: the clock is coarse.
      if (mtimeNs === previous) return COARSE_STEP_NS;
      previous = mtimeNs;
    }
    return 0n;
  } finally {
    await handle.close();
    await removeFile(temp);
  }
}
