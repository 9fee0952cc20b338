/** Child process entry of `runTask`: runs one named phase, sends back its result and this process's peak RSS. */
import { TASKS, type TaskName } from './tasks.js';
import { maxRssMb } from './measure.js';

process.once('message', (msg: { name: TaskName; args: unknown }) => {
  void (async () => {
    try {
      const task = TASKS[msg.name] as (a: unknown) => unknown;
      const value = await task(msg.args);
      process.send?.({ value, maxRssMb: maxRssMb() }, () => process.exit(0));
    } catch (err) {
      process.send?.({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, () => process.exit(1));
    }
  })();
});
