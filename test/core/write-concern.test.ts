import { Types, type Connection } from 'mongoose';
import { connect } from '../../src/db/database';
import { hasReplicas } from '../../src/db/topology';
import { registerMessageModels } from '../../src/messages/model';
import { testDatabaseName } from '../helpers/harness';

// Issue 14: on a replica set a message is acknowledged once a majority has it. The test database is
// a single server (FerretDB or one mongod): what is checked is that the detection says so, and that
// the models ask for a majority exactly when told to, as the insert commands on the wire show.
describe('message write concern', () => {
  let connection: Connection;
  const sent: Record<string, unknown>[] = [];
  beforeAll(async () => {
    connection = await connect(process.env.TEST_MONGODB_URI!, testDatabaseName());
    connection.getClient().on('commandStarted', (e) => e.commandName === 'insert' && sent.push(e.command));
  });
  afterAll(() => connection.close());

  const insert = (majority: boolean, name: string) => {
    const { messages } = registerMessageModels(connection.useDb(name, { useCache: false }), { majority });
    return messages.create({
      appId: new Types.ObjectId(),
      conversationId: new Types.ObjectId(),
      seq: 1,
      uid: Date.now() * 2048,
      type: 'text',
      text: 'durable',
    });
  };

  it('takes the test database for a single server', () => {
    expect(hasReplicas(connection)).toBe(false);
  });

  it('asks for a majority when the database has replicas, and for the server default otherwise', async () => {
    await insert(true, `${testDatabaseName()}-majority`);
    expect(sent.at(-1)?.writeConcern).toEqual({ w: 'majority' });
    await insert(false, `${testDatabaseName()}-default`);
    expect(sent.at(-1)?.writeConcern).toBeUndefined();
  });
});
