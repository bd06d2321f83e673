import { MongoClient, ObjectId } from 'mongodb';
import { argsOf, say } from '../lib/proc';

/** The raw driver baseline: `concurrency` loops inserting message-shaped documents for `seconds`. */
interface Args {
  uri: string;
  dbName: string;
  concurrency: number;
  seconds: number;
}

async function main() {
  const a = argsOf<Args>();
  const client = await new MongoClient(a.uri).connect();
  const col = client.db(a.dbName).collection('bench_raw_messages');
  const deadline = Date.now() + a.seconds * 1000;
  let done = 0;
  let seq = 0;
  const appId = new ObjectId();
  const loop = async (k: number) => {
    const conversationId = new ObjectId();
    while (Date.now() < deadline) {
      await col.insertOne({
        appId,
        conversationId,
        seq: ++seq,
        uid: Date.now() * 2048 + k,
        senderId: appId,
        type: 'text',
        text: `raw ${seq}`,
        createdAt: new Date(),
      });
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: a.concurrency }, (_, k) => loop(k)));
  const seconds = (Date.now() - started) / 1000;
  await col.drop().catch(() => undefined);
  await client.close();
  say('RESULT', { inserted: done, perSecond: Math.round(done / seconds) });
}

void main();
