import { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { PipelineTrigger } from '../../lib';
import { resourcesOf } from '../helpers';
import { actionsOf, buildNew, definitionOf, statementsOf } from './fixture';

/**
 * A model of the two services, run against the synthesized state machine and application:
 * - EMR Serverless runs at most `MaxConcurrentRuns` job runs at once and queues the others in order ("Job
 *   concurrency and queuing"); without a scheduler configuration nothing limits concurrency. A run goes from a
 *   waiting state (QUEUED, or SUBMITTED..SCHEDULED) to RUNNING, and reads the objects present when it starts
 *   RUNNING (S3 is strongly consistent for listing). ListJobRuns filters by state.
 * - Step Functions runs the definition's states: the listJobRuns SDK task (ResultSelector, ResultPath), a Choice on
 *   IsPresent, Succeed, and the startJobRun.sync task, which starts a run and waits for it.
 */
interface Run {
  id: string;
  state: 'QUEUED' | 'RUNNING' | 'SUCCESS';
  startedAt?: number;
}

function simulate(template: Template, arrivals: number[], runMinutes: number) {
  const app = resourcesOf(template, 'AWS::EMRServerless::Application')[0][1].Properties;
  const max: number = app.SchedulerConfiguration?.MaxConcurrentRuns ?? Infinity;
  const def = definitionOf(template);
  const runs: Run[] = [];
  let maxRunning = 0;
  const running = () => runs.filter((r) => r.state === 'RUNNING');
  const promote = (now: number) => {
    for (const r of runs) {
      if (r.state === 'QUEUED' && running().length < max) Object.assign(r, { state: 'RUNNING', startedAt: now });
    }
    maxRunning = Math.max(maxRunning, running().length);
  };
  const finish = (now: number) => {
    for (const r of running()) if (now >= r.startedAt! + runMinutes) r.state = 'SUCCESS';
    promote(now);
  };
  const get = (obj: any, path: string) =>
    path
      .replace(/^\$\.?/, '')
      .split(/\.|\[(\d+)\]/)
      .filter((p) => p)
      .reduce((o, k) => (o === undefined ? undefined : o[k]), obj);
  const execute = (now: number) => {
    let input: any = {};
    let name = def.StartAt;
    for (let steps = 0; steps < 20; steps++) {
      const state = def.States[name];
      if (state.Type === 'Succeed') return 'skipped';
      if (state.Type === 'Choice') {
        const hit = state.Choices.find(
          (c: any) => c.IsPresent !== undefined && (get(input, c.Variable) !== undefined) === c.IsPresent,
        );
        name = hit ? hit.Next : state.Default;
      } else if (String(state.Resource).endsWith(':aws-sdk:emrserverless:listJobRuns')) {
        const result = {
          JobRuns: runs
            .filter((r) => state.Parameters.States.includes(r.state))
            .slice(0, state.Parameters.MaxResults)
            .map((r) => ({ Id: r.id })),
        };
        const selected = Object.fromEntries(
          Object.entries(state.ResultSelector).map(([k, v]) => [k.replace(/\.\$$/, ''), get(result, v as string)]),
        );
        input = { ...input, [state.ResultPath.replace('$.', '')]: selected };
        name = state.Next;
      } else if (String(state.Resource).endsWith(':emr-serverless:startJobRun.sync')) {
        runs.push({ id: `run-${runs.length}`, state: 'QUEUED' });
        promote(now);
        return 'ran';
      } else {
        throw new Error(`the model has no state like ${name}`);
      }
    }
    throw new Error('no end');
  };
  const outcomes: string[] = [];
  const end = Math.max(...arrivals) + runMinutes * (arrivals.length + 2);
  for (let t = 0; t <= end; t++) {
    finish(t);
    arrivals.filter((x) => x === t).forEach(() => outcomes.push(execute(t)));
  }
  // An arrival is processed when some run started RUNNING at or after it (and so listed its object).
  const lost = arrivals.filter((a) => !runs.some((r) => r.startedAt !== undefined && r.startedAt >= a));
  return { maxRunning, lost, runs: runs.length, outcomes };
}

describe('an on-arrival pipeline runs one job at a time and loses no arrival', () => {
  const { template, pipeline, id } = buildNew({ trigger: PipelineTrigger.onArrival('raw', 'reviews/') });

  test('a burst of objects, more during the run and after it: one job at a time, every object read by a later run', () => {
    // 5 objects at once, 4 more while the first run works, 1 long after.
    const r = simulate(template, [0, 0, 0, 0, 0, 10, 20, 30, 40, 500], 60);
    expect(r.maxRunning).toBe(1);
    expect(r.lost).toEqual([]);
    // The burst makes one run; the arrivals during it make one more (queued), not one each; the late one its own.
    expect(r.runs).toBe(3);
    expect(r.outcomes.filter((o) => o === 'skipped')).toHaveLength(7);
  });

  test('an object that arrives just as the run starts, or just before it ends, is read by the next run', () => {
    for (const arrivals of [
      [0, 1],
      [0, 59],
      [0, 60],
    ]) {
      const r = simulate(template, arrivals, 60);
      expect({ arrivals, maxRunning: r.maxRunning, lost: r.lost }).toEqual({ arrivals, maxRunning: 1, lost: [] });
    }
  });

  test('a queued run waits no longer than the service and the execution allow: the run ahead of it, at most', () => {
    const app = resourcesOf(template, 'AWS::EMRServerless::Application')[0][1].Properties;
    const runAhead = 120 + 15; // the default run timeout and the start margin of the one running run
    expect(app.SchedulerConfiguration.QueueTimeoutMinutes).toBeGreaterThanOrEqual(runAhead);
    expect(app.SchedulerConfiguration.QueueTimeoutMinutes).toBeLessThanOrEqual(720); // the service's range: 15-720
    expect(definitionOf(template).TimeoutSeconds).toBeGreaterThanOrEqual((runAhead + 120 + 15) * 60);
  });

  test('a queue timeout stays within the service range for very short and very long runs', () => {
    for (const [minutes, queue] of [
      [1, 16],
      [60 * 24, 720],
    ]) {
      const app = resourcesOf(
        buildNew({ runTimeout: Duration.minutes(minutes) }).template,
        'AWS::EMRServerless::Application',
      )[0][1].Properties;
      expect(app.SchedulerConfiguration.QueueTimeoutMinutes).toBe(queue);
    }
  });

  test('the state machine may list the runs of its own application only', () => {
    const listing = statementsOf(template, id(pipeline.stateMachine.role)).filter((s) =>
      actionsOf(s).includes('emr-serverless:ListJobRuns'),
    );
    expect(listing.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [id(pipeline.application), 'Arn'] }]);
  });
});
