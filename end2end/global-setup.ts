import { startSink } from './smtp-sink';

// Starts the tests' mail server for the whole run; Playwright calls the returned function at the end.
export default async function globalSetup() {
  const server = await startSink();
  return async () => {
    await new Promise((resolve) => server.close(resolve));
  };
}
