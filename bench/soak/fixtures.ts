import crypto from 'node:crypto';
import { gqlOk, OPERATOR } from './server';

export interface SoakFixtures {
  appToken: string;
  users: { username: string; token: string }[];
  easemobBase: string;
  gobelieveBasic: string;
}

/** An app with four users, a robot whose callbacks go to `robotUrl`, and a message.created webhook to `hookUrl`. */
export async function setUp(url: string, hookUrl: string, robotUrl: string): Promise<SoakFixtures> {
  const { createApp: app } = await gqlOk(
    url,
    `mutation($n: String!) { createApp(input: { name: $n }) { appId easemob { orgName appName clientId clientSecret } gobelieve { appId appSecret } } }`,
    { n: `soak${crypto.randomBytes(3).toString('hex')}` },
    OPERATOR,
  );
  const { createAppToken } = await gqlOk(url, `mutation($i: AppTokenInput!) { createAppToken(input: $i) { accessToken } }`, {
    i: { clientId: app.easemob.clientId, clientSecret: app.easemob.clientSecret },
  });
  const appToken = createAppToken.accessToken as string;
  const users: SoakFixtures['users'] = [];
  for (const username of ['s1', 's2', 's3', 's4']) {
    await gqlOk(
      url,
      `mutation($u: String!) { registerUser(input: { username: $u, password: "soak-password" }) { id } }`,
      { u: username },
      appToken,
    );
    const { createUserToken } = await gqlOk(url, `mutation($i: UserTokenInput!) { createUserToken(input: $i) { accessToken } }`, {
      i: { appId: app.appId, username, password: 'soak-password' },
    });
    users.push({ username, token: createUserToken.accessToken });
  }
  await gqlOk(url, `mutation($c: String) { createRobot(input: { username: "bot", callbackUrl: $c }) { rid } }`, { c: robotUrl }, appToken);
  await gqlOk(
    url,
    `mutation($u: String!) { createWebhookSubscription(input: { url: $u, eventTypes: ["message.created"] }) { id } }`,
    { u: hookUrl },
    appToken,
  );
  const md5 = crypto.createHash('md5').update(app.gobelieve.appSecret).digest('hex');
  return {
    appToken,
    users,
    easemobBase: `${url}/easemob/${app.easemob.orgName}/${app.easemob.appName}`,
    gobelieveBasic: `Basic ${Buffer.from(`${app.gobelieve.appId}:${md5}`).toString('base64')}`,
  };
}
