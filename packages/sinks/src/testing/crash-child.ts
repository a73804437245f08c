// Child process for the OS-level crash test: writes offsets [from, to], prepares (and with
// mode=publish also publishes), then SIGKILLs itself before any offset commit could happen.

import { crashSink, eventsBetween } from './crash-fixture.js';
import { committedAt, range, testContext, writeAll } from './harness.js';

const [root, mode, fromArg, toArg, committedArg] = process.argv.slice(2);
if (!root || !mode || !fromArg || !toArg || !committedArg)
  throw new Error('usage: root mode from to committed');
const from = Number(fromArg);
const to = Number(toArg);
const task = await crashSink(root).openTask(testContext({ committed: committedAt(BigInt(committedArg)) }));
writeAll(task, eventsBetween(from, to), 'in', 0, BigInt(from));
await task.prepare([range(BigInt(from), BigInt(to))]);
if (mode === 'publish') await task.publish();
process.stdout.write('ready\n');
process.kill(process.pid, 'SIGKILL');
