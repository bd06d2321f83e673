/** Malformed bodies every adapter's sweep sends to every endpoint. */
const deep = (n: number, leaf = '1') => '{"a":'.repeat(n) + leaf + '}'.repeat(n);
const message = (ext: string) => `{"from":"fz1","to":["fz2"],"type":"txt","body":{"msg":"x"},"ext":${ext}}`;
export const BODIES: string[] = [
  'null',
  '42',
  '"a string"',
  'true',
  '[]',
  '[null]',
  '[1, "x", {}]',
  '{}',
  '{"username": null, "password": {}}',
  '{"username": ["fz9"], "password": 1, "nickname": 123}',
  '[{"username": "ok1", "password": "pw"}, null]',
  '{"nickname": {"x": 1}, "notification_display_style": [], "notification_ignore_1": {}}',
  '{"newpassword": 7}',
  '{"usernames": [null, 1]}',
  '{"usernames": "fz2"}',
  '{"grant_type": "password", "username": {}, "password": []}',
  '{"grant_type": "client_credentials", "client_id": 1, "ttl": "soon"}',
  '{"from": "fz1", "to": "fz2", "type": "txt", "body": "x"}',
  '{"from": "fz1", "to": [null], "type": "txt", "body": {"msg": 1}}',
  '{"from": "fz1", "to": ["fz2"], "type": "custom", "body": {"customEvent": 5}}',
  '{"msg_id": {"$gt": 0}}',
  message(deep(20_000)),
  message('[1,2,3]'),
  deep(20_000),
  JSON.stringify({ username: 'x'.repeat(600_000), password: 'y', nickname: 'z'.repeat(300_000) }),
  '{"username": "\\u0000\\u0001", "password": "\\ud800"}',
  '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}',
  '{"a": 1,',
];

/** Hostile path parameters. */
export const HOSTILE_VALUES = ['x'.repeat(5_000), '%00', '..%2F..%2Fadmin', '\u{1F600}', ' ', '$where', '-1', '9007199254740993'];
