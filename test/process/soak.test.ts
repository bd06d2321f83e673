import { runSoak } from '../../bench/soak/run';

/**
 * The short soak (the full one is `npm run soak`, docs/BENCHMARKS.md): the server as a real process,
 * mixed traffic over GraphQL, graphql-ws, Easemob and GoBelieve with a webhook and a robot callback,
 * while its database is stalled and then killed and restarted. Nothing acknowledged is lost or
 * stored twice, every delivery arrives once, and each fault is recovered from within 5 s.
 */
describe('the short soak', () => {
  it('loses and duplicates nothing across a stalled and a killed database', async () => {
    const r = await runSoak({ seconds: Number(process.env.SOAK_SECONDS ?? 40), rate: 10, dbTimeoutMs: 1_500 });
    expect({ lost: r.lostTexts, duplicated: r.messagesDuplicated }).toEqual({ lost: [], duplicated: 0 });
    expect({ lost: r.webhook.lostTexts, duplicated: r.webhook.duplicated }).toEqual({ lost: [], duplicated: 0 });
    expect({ lost: r.robot.lost, duplicated: r.robot.duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(r.acknowledged).toBeGreaterThan(50);
    for (const f of r.faults) expect([f.fault, f.recoveryMs >= 0 && f.recoveryMs < 5_000]).toEqual([f.fault, true]);
    // Only successes and "try again later": never a 500 for an outage.
    expect(Object.keys(r.answers).filter((s) => s !== '200' && s !== '503')).toEqual([]);
  }, 240_000);
});
