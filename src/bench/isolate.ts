/** Runs a benchmark phase in a forked process of its own (its own peak RSS), or in this one for smoke tests. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TASKS, type TaskArgs, type TaskName, type TaskValue } from './tasks.js';
import { maxRssMb } from './measure.js';

export interface TaskResult<T> {
  value: T;
  /** Peak RSS of the process that ran the phase, MB (in-process: of this whole process so far). */
  maxRssMb: number;
}

/** Runs phase `name` with `args`; `isolate` forks `child.js` (compiled code only) with --expose-gc. */
export async function runTask<K extends TaskName>(name: K, args: TaskArgs<K>, isolate: boolean): Promise<TaskResult<TaskValue<K>>> {
  if (!isolate) {
    const task = TASKS[name] as (a: TaskArgs<K>) => TaskValue<K> | Promise<TaskValue<K>>;
    const value = await task(args);
    return { value, maxRssMb: maxRssMb() };
  }
  const child = fork(fileURLToPath(new URL('./child.js', import.meta.url)), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let answered = false;
    child.once('message', (msg: { value?: TaskValue<K>; maxRssMb?: number; error?: string }) => {
      answered = true;
      if (msg.error !== undefined) reject(new Error(`bench phase ${name} failed: ${msg.error}`));
      else resolve({ value: msg.value as TaskValue<K>, maxRssMb: msg.maxRssMb ?? 0 });
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!answered) reject(new Error(`bench phase ${name} exited ${code ?? signal} without a result`));
    });
    child.send({ name, args });
  });
}
