import type { Events, JobRef } from '../../src-main/contract';
import { Workbench } from '../../src-main/core/workbench/workbench';

type Settled = Events['job.finished'] | Events['job.failed'];

/**
 * A Workbench whose jobs can be awaited: `wait(ref)` resolves with the job's finished event (also when it came
 * before the wait) and throws the failed event's message. `changed` lists the project.changed paths.
 */
export function jobWorkbench(options: Partial<ConstructorParameters<typeof Workbench>[1]> = {}): {
  wb: Workbench;
  wait: (ref: JobRef | Promise<JobRef>) => Promise<Events['job.finished']>;
  changed: string[];
} {
  const done = new Map<string, (e: Settled) => void>();
  const early = new Map<string, Settled>();
  const changed: string[] = [];
  const wb = new Workbench(
    (event, payload) => {
      if (event === 'project.changed') changed.push((payload as Events['project.changed']).path);
      if (event !== 'job.finished' && event !== 'job.failed') return;
      const p = payload as Settled;
      const f = done.get(p.jobId);
      if (f) f(p);
      else early.set(p.jobId, p);
    },
    { mode: 'browser', ...options },
  );
  const wait = async (ref: JobRef | Promise<JobRef>): Promise<Events['job.finished']> => {
    const r = await ref;
    const p = early.get(r.jobId) ?? (await new Promise<Settled>((resolve) => done.set(r.jobId, resolve)));
    if ('error' in p) throw new Error(p.error.message);
    return p;
  };
  return { wb, wait, changed };
}
