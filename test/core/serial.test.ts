import { createKeyedSerial } from '../../src/messages/serial';

describe('sends into one conversation, one at a time', () => {
  it('runs them in call order, and refuses one that waited past its deadline instead of queueing it forever', async () => {
    const serial = createKeyedSerial(50);
    const order: string[] = [];
    let release!: () => void;
    const stuck = serial('c', () => new Promise<void>((r) => (release = r)).then(() => void order.push('a')));
    const late = serial('c', async () => void order.push('b'));
    await expect(late).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    // The queue behind the refused one moves on; the stuck one still finishes.
    await serial('c', async () => void order.push('c'));
    release();
    await stuck;
    expect(order).toEqual(['c', 'a']);
    // Without a stuck predecessor, call order holds.
    await Promise.all(['x', 'y', 'z'].map((k) => serial('d', async () => void order.push(k))));
    expect(order.slice(2)).toEqual(['x', 'y', 'z']);
  });
});
