import type { Writable } from 'node:stream';
import { endStream, writeChunk } from './digest-stream';

/** Items are gathered into chunks of about this many characters before they are written. */
const CHUNK = 64 * 1024;

/**
 * A JSON object written piece by piece: the members of `head` first, then `listName` as an array
 * whose items are stringified one at a time as they arrive (one item a line), so a list of any
 * length never sits in memory whole. `out` is ended. Returns the number of items.
 */
export async function writeJsonDocument<T>(out: Writable, head: Record<string, unknown>, listName: string, items: Iterable<T> | AsyncIterable<T>): Promise<number> {
  const members = Object.entries(head).map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value ?? null)}`);
  let pending = `{${[...members, JSON.stringify(listName)].join(',')}:[`;
  let count = 0;
  for await (const item of items) {
    pending += `${count === 0 ? '\n' : ',\n'}${JSON.stringify(item)}`;
    count += 1;
    if (pending.length >= CHUNK) {
      await writeChunk(out, pending);
      pending = '';
    }
  }
  await writeChunk(out, `${pending}${count === 0 ? '' : '\n'}]}\n`);
  await endStream(out);
  return count;
}
