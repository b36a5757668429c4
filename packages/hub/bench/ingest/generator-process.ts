import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromGenerator, GeneratorSettings, StepResult, ToGenerator } from './messages.js';

const GENERATOR_SCRIPT = fileURLToPath(new URL('./load-generator.ts', import.meta.url));

/** The load-generator child process, driven one request at a time. */
export class GeneratorProcess {
  /** Problems the generator reported (failed polls, publish errors); the run goes on, the report lists them. */
  readonly errors: string[] = [];
  private readonly inbox: FromGenerator[] = [];
  private waiter: (() => void) | undefined;
  private exited: Error | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: FromGenerator) => {
      if (message.type === 'error') this.errors.push(message.message);
      else this.inbox.push(message);
      this.waiter?.();
    });
    child.on('exit', (code, signal) => {
      this.exited = new Error(`the load generator exited (code ${code}, signal ${signal})`);
      this.waiter?.();
    });
  }

  static async start(settings: GeneratorSettings): Promise<GeneratorProcess> {
    // Its own process with only the TypeScript loader: no inspector or profiling flags of the parent.
    const child = fork(GENERATOR_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const generator = new GeneratorProcess(child);
    generator.send({ type: 'init', settings });
    await generator.next('ready');
    return generator;
  }

  /** Starts a step; `onLoadEnded` runs when the offered load stops (before the drain), then the result comes. */
  async step(rate: number, seconds: number, onLoadEnded: () => void): Promise<StepResult> {
    this.send({ type: 'step', rate, seconds });
    await this.next('step-load-ended');
    onLoadEnded();
    const message = await this.next('step-result');
    return message.result;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ type: 'close' });
    const timeout = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timeout);
  }

  private send(message: ToGenerator): void {
    this.child.send(message);
  }

  private async next<T extends Exclude<FromGenerator['type'], 'error'>>(type: T): Promise<Extract<FromGenerator, { type: T }>> {
    while (true) {
      const index = this.inbox.findIndex((m) => m.type === type);
      if (index >= 0) return this.inbox.splice(index, 1)[0] as Extract<FromGenerator, { type: T }>;
      if (this.exited) throw new Error(`${this.exited.message}; last problems: ${this.errors.slice(-3).join(' | ') || 'none'}`);
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = undefined;
    }
  }
}
