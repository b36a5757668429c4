/**
 * Resolves on the first SIGINT or SIGTERM so long-running commands shut down cleanly; a second signal exits at
 * once. The listeners stay installed: while one is there, the ffmpeg child registry only stops its children and
 * does not re-raise the signal, which would kill the process before the clean shutdown finishes.
 */
export function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        process.stderr.write(`second ${signal}: exiting without a clean shutdown\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
