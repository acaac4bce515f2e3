import type { Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * What a benchmark's child server does besides serving (test/bench/child-server.ts is the other
 * end): stops on SIGTERM, SIGINT or the parent's disconnect (`close`, then exit; forced after 5 s),
 * runs the V8 CPU profiler when the parent asks ({ profile: 'start' | 'stop', file }), and tells
 * the parent its port once listening.
 */
export function speakToParent(server: Server, close: () => Promise<unknown>): void {
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    void close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  const session = new Session();
  const post = (method: string) => new Promise<unknown>((done, fail) => session.post(method, (error, result) => (error ? fail(error) : done(result))));
  process.on('message', (message: { profile?: 'start' | 'stop'; file?: string }) => {
    const step = async () => {
      if (message.profile === 'start') {
        session.connect();
        await post('Profiler.enable');
        await post('Profiler.start');
      } else if (message.profile === 'stop' && message.file) {
        const { profile } = (await post('Profiler.stop')) as { profile: unknown };
        writeFileSync(message.file, JSON.stringify(profile));
        session.disconnect();
      }
    };
    step().then(
      () => process.send?.({ profiled: message.profile }),
      (error: unknown) => process.send?.({ profiled: 'failed', error: String(error) }),
    );
  });
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
}
