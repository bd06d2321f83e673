import { isDatabaseUnavailable } from '../../src/db/errors';

describe('database errors that mean "try again later"', () => {
  it('counts a query stopped by maxTimeMS (code 50) as the database being unavailable, not as a bug', () => {
    // As MongoDB and FerretDB answer when a query runs out of its maxTimeMS (every query has one: DB_TIMEOUT_MS).
    expect(isDatabaseUnavailable({ name: 'MongoServerError', code: 50, message: 'operation exceeded time limit' })).toBe(true);
    expect(isDatabaseUnavailable({ message: 'Executor error during find command :: caused by :: operation exceeded time limit' })).toBe(
      true,
    );
    expect(isDatabaseUnavailable({ name: 'MongoNetworkTimeoutError', message: 'connection 1 to 127.0.0.1:1 timed out' })).toBe(true);
    expect(isDatabaseUnavailable({ name: 'MongoServerError', code: 11000, message: 'duplicate key' })).toBe(false);
  });
});
