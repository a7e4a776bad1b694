/**
 * The reading thread's entry point (bundled on its own as `server/out/cli-feed.js`): it walks and
 * reads what the scan thread asks for, a few batches ahead (feed.ts). It runs only the walk, the
 * safe reads and the GPO metadata readers. Its bundle still holds much of the core (the parsers and
 * the catalog come in with the walk's list of export extensions, which the format providers give,
 * through the core's one door): about 356 KB against the program's 685 KB, 20 ms and 2.6 MB of heap
 * to load. The reporters and the effective policy stay out (a test checks) (bench/README.md).
 */
import { isMainThread, workerData, type MessagePort } from 'node:worker_threads';
import { FeedProducer } from './feed';

const feedThread = (workerData as { relaylintFeedThread?: { port: MessagePort } } | undefined)?.relaylintFeedThread;
if (!isMainThread && feedThread) {
  const port = feedThread.port;
  let producer: FeedProducer | undefined;
  port.on('message', (m: { relaylintFeed?: { roots?: string[]; ack?: boolean; arena?: ArrayBuffer } }) => {
    const f = m?.relaylintFeed;
    // Test hook: run this thread out of memory, as a runaway walk could.
    if (f?.roots && process.env.RELAYLINT_TEST_FEED_FAULT === 'oom') {
      const hog: string[][] = [];
      for (;;) hog.push(new Array(1e5).fill('x'.repeat(16) + hog.length));
    }
    if (f?.roots) {
      producer = new FeedProducer(port);
      void producer.run(f.roots);
    } else if (f?.ack) producer?.ack(f.arena);
  });
  port.on('close', () => producer?.stop());
}
