import mongoose from 'mongoose';
import { registerMessageModels } from '../../src/messages/model';
import { createMessageStore, STALE_SEND_KEY_MS } from '../../src/messages/store';
import { testDatabaseName } from '../helpers/harness';

// A send claims its (sender, clientMessageId) key before storing the message. A send that fails
// after the claim must not leave the key to refuse every retry: it gives the key back, and a key
// left behind anyway (the release failed too) is taken over once stale.
describe('message send keys after a failed send', () => {
  let connection: mongoose.Connection;
  let store: ReturnType<typeof createMessageStore>;

  beforeAll(async () => {
    connection = await mongoose.createConnection(process.env.TEST_MONGODB_URI!, { dbName: testDatabaseName() }).asPromise();
    const { messages, sendKeys } = registerMessageModels(connection);
    store = createMessageStore(messages, sendKeys);
  });
  afterAll(async () => {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  });

  it('gives a key back whose message was not stored, and keeps one whose message was', async () => {
    const first = new mongoose.Types.ObjectId();
    expect(await store.claimSendKey('app:u:c1', first)).toBeUndefined();
    await store.releaseSendKey('app:u:c1', first);
    const retry = new mongoose.Types.ObjectId();
    expect(await store.claimSendKey('app:u:c1', retry)).toBeUndefined();
    // Another attempt's release does not free the key the retry now holds.
    await store.releaseSendKey('app:u:c1', first);
    expect((await store.claimSendKey('app:u:c1', new mongoose.Types.ObjectId()))?.toHexString()).toBe(retry.toHexString());
  });

  it('takes over a stale key whose message never came, and not a fresh one', async () => {
    const lost = new mongoose.Types.ObjectId();
    await connection
      .collection('message_send_keys')
      .insertOne({ _id: 'app:u:c2' as never, messageId: lost, createdAt: new Date(Date.now() - STALE_SEND_KEY_MS - 1_000) });
    expect(await store.claimSendKey('app:u:c2', new mongoose.Types.ObjectId())).toBeUndefined();
    const fresh = new mongoose.Types.ObjectId();
    expect(await store.claimSendKey('app:u:c3', fresh)).toBeUndefined();
    expect((await store.claimSendKey('app:u:c3', new mongoose.Types.ObjectId()))?.toHexString()).toBe(fresh.toHexString());
  });
});
