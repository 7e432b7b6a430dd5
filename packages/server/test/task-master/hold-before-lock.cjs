'use strict';
/*
 * Preloaded (`node --require`) into the real Task Master CLI by
 * harness.ts's startHeldTaskMaster: holds the command just before it takes
 * the lock on tasks.json, after it has read the tag it will write back.
 * Task Master has two lock paths, and both re-read the file inside the lock
 * and replace the tag with the tasks loaded before it: tm-core's saveTasks
 * (proper-lockfile: mkdir of `tasks.json.lock`; set-status) and the scripts'
 * writeJSON (a `wx` file at that path, synchronous; add-subtask,
 * add-dependency). A commit of ours made while the command is held is exactly
 * the one Task Master's write would take with it. Nothing of Task Master's
 * code changes; its first attempt at the lock waits for a file.
 *
 * TM_HOLD_LOCK: the lock's path. TM_HOLD_READY: made when the command is held.
 * TM_HOLD_GO: the command goes on once this exists.
 */
const fs = require('node:fs');
const path = require('node:path');
const { syncBuiltinESMExports } = require('node:module');

const lock = path.resolve(process.env.TM_HOLD_LOCK);
const ready = process.env.TM_HOLD_READY;
const go = process.env.TM_HOLD_GO;
const { mkdir, writeFileSync } = fs;
let held = false;

/** Whether `target` is the lock and this is the command's first attempt at it (then says so). */
function holdsHere(target) {
  if (held || path.resolve(String(target)) !== lock) return false;
  held = true;
  writeFileSync(ready, String(process.pid));
  return true;
}

fs.mkdir = function mkdirHeldOnce(target, ...rest) {
  if (!holdsHere(target)) return mkdir.call(this, target, ...rest);
  const goOn = () => (fs.existsSync(go) ? mkdir.call(fs, target, ...rest) : setTimeout(goOn, 20));
  goOn();
};

fs.writeFileSync = function writeFileSyncHeldOnce(target, ...rest) {
  if (holdsHere(target)) {
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (!fs.existsSync(go)) Atomics.wait(pause, 0, 0, 20);
  }
  return writeFileSync.call(this, target, ...rest);
};
// graceful-fs (proper-lockfile's fs) copies fs's functions when it loads, after this; ESM importers see it too.
syncBuiltinESMExports();
