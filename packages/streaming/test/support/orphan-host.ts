// A host process for the orphan test: starts a session, prints its pids as JSON, then waits to be killed.
import { colorSession } from './color-session.js';

const session = colorSession({ appArgs: process.argv.slice(2) });
await session.start();
await new Promise((resolve) => setTimeout(resolve, 300));
process.stdout.write(`${JSON.stringify({ ...session.pids, display: session.display.number, authFile: session.display.clientAuthFile })}\n`);
setInterval(() => undefined, 1000);
