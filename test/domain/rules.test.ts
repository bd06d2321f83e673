import { refusal, startDomain } from './helpers';

// Domain rules through the checked port, without HTTP: who may do what to a group, blocks, mutes,
// the per-user limits and the read cursors. Every surface inherits these decisions.
describe('domain rules (no server)', () => {
  let d: Awaited<ReturnType<typeof startDomain>>;
  beforeAll(async () => {
    d = await startDomain({ USER_MAX_CONTACTS: '2' });
    await d.register('olga', 'adam', 'mia', 'nick', 'zed');
  });
  afterAll(() => d.close());

  const text = (t: string) => ({ type: 'text' as const, text: t });

  it('group roles: members remove nobody, admins remove members but not the owner, the owner leaves only by hand-over', async () => {
    const g = await d.port.groups.create(d.user('olga'), {
      name: 'roles',
      members: [{ username: 'adam' }, { username: 'mia' }, { username: 'nick' }],
    });
    expect(await refusal(d.port.groups.removeMembers(d.user('mia'), g.groupId, [{ username: 'nick' }]))).toMatchObject({
      code: 'FORBIDDEN',
    });
    await d.port.groupAdmin.setAdmin(d.user('olga'), g.groupId, { username: 'adam' }, true);
    expect(await refusal(d.port.groupAdmin.setAdmin(d.user('adam'), g.groupId, { username: 'mia' }, true))).toMatchObject({
      code: 'FORBIDDEN',
    });
    await d.port.groups.removeMembers(d.user('adam'), g.groupId, [{ username: 'nick' }]);
    expect(await refusal(d.port.groups.removeMembers(d.user('adam'), g.groupId, [{ username: 'olga' }]))).toMatchObject({
      message: expect.stringMatching(/the owner cannot be removed/),
    });
    expect(await refusal(d.port.groups.leave(d.user('olga'), g.groupId))).toMatchObject({
      message: expect.stringMatching(/the owner cannot leave/),
    });
    const after = await d.port.groups.leave(d.user('olga'), g.groupId, null, { owner: 'hand-over' });
    expect(after.ownerId).toBe((await d.port.users.get(d.app, { username: 'adam' })).id);
    // A non-member cannot write to the group, and is not told it exists.
    expect(await refusal(d.port.messages.send(d.user('zed'), { ...text('hi'), groupId: g.groupId }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a block stops direct messages one way only', async () => {
    await d.port.contacts.block(d.user('mia'), null, [{ username: 'zed' }]);
    expect(await refusal(d.port.messages.send(d.user('zed'), { ...text('psst'), to: { username: 'mia' } }))).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'blocked',
    });
    expect((await d.port.messages.send(d.user('mia'), { ...text('go away'), to: { username: 'zed' } })).text).toBe('go away');
  });

  it('a muted member cannot speak in the group until unmuted', async () => {
    const g = await d.port.groups.create(d.user('olga'), { name: 'mutes', members: [{ username: 'mia' }] });
    await d.port.groupAdmin.mute(d.user('olga'), g.groupId, [{ username: 'mia' }], null);
    expect(await refusal(d.port.messages.send(d.user('mia'), { ...text('x'), groupId: g.groupId }))).toMatchObject({ reason: 'muted' });
    await d.port.groupAdmin.unmute(d.user('olga'), g.groupId, [{ username: 'mia' }]);
    expect((await d.port.messages.send(d.user('mia'), { ...text('back'), groupId: g.groupId })).seq).toBeGreaterThan(0);
  });

  it('the contact limit is the configured one (USER_MAX_CONTACTS=2)', async () => {
    await d.port.contacts.addContact(d.user('nick'), null, { username: 'olga' });
    await d.port.contacts.addContact(d.user('nick'), null, { username: 'adam' });
    expect(await refusal(d.port.contacts.addContact(d.user('nick'), null, { username: 'mia' }))).toMatchObject({
      code: 'INVALID_INPUT',
      reason: 'limit_exceeded',
    });
  });

  it('read cursors: what a user has not read is counted, and marking read clears it', async () => {
    for (const t of ['one', 'two', 'three']) await d.port.messages.send(d.user('adam'), { ...text(t), to: { username: 'zed' } });
    const before = await d.port.conversations.offlineCounts(d.user('zed'), null);
    const direct = before.perConversation.find((c) => c.count === 3)!;
    expect(direct).toBeDefined();
    await d.port.conversations.markRead(d.user('zed'), direct.conversationId);
    const after = await d.port.conversations.offlineCounts(d.user('zed'), null);
    expect(after.perConversation.find((c) => c.conversationId === direct.conversationId)?.count ?? 0).toBe(0);
    expect(after.total).toBe(before.total - 3);
  });
});
