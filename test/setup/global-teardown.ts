export default async function globalTeardown() {
  await globalThis.__IMFACADE_TEST_DB__?.stop();
}
