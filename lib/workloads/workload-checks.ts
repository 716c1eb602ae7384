import { Token } from 'aws-cdk-lib';
import {
  DIGEST_HEX_LENGTHS,
  IMAGE_REFERENCE,
  KEDA_MIN_TARGET,
  KUBERNETES,
  MAX_IMAGE_REFERENCE_LENGTH,
  reservedNamespaceReason,
} from '../catalog/service-limits';
import { ProblemList, type Problem } from '../core/problems';
import { defaultActivationThreshold, WORKLOAD_DEFAULTS } from './defaults';
import { ScalingMetric } from './scaling-metric';
import { TrainingEngine } from './training-engine';
import { modelPathProblems } from './inference-model';

/** What {@link inferenceProblems} checks of an inference service (its props, or a definition entry with defaults applied). */
export interface InferenceSpec {
  readonly image: string;
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  readonly port?: number;
  readonly metric?: ScalingMetric;
  readonly target?: number;
  readonly activationThreshold?: number;
  readonly query?: string;
  /** Reached through the load balancer (`expose`), whose interceptor holds a request at zero replicas and wakes it. */
  readonly exposed?: boolean;
}

/** A container image reference: `[registry/]repository[:tag][@digest]`. Tokens are checked at deploy time. */
export function imageProblems(image: string): Problem[] {
  if (Token.isUnresolved(image)) return [];
  const ok = image.length <= MAX_IMAGE_REFERENCE_LENGTH && IMAGE_REFERENCE.test(image);
  if (!ok)
    return [
      {
        field: 'image',
        value: image,
        message: `must be a container image reference ([registry/]repository[:tag][@digest], lowercase repository, no spaces, at most ${MAX_IMAGE_REFERENCE_LENGTH} characters)`,
      },
    ];
  const digest = /@([A-Za-z][A-Za-z0-9]*):([0-9a-fA-F]+)$/.exec(image);
  if (!digest) return [];
  const [, algorithm, hex] = digest;
  const length = DIGEST_HEX_LENGTHS[algorithm];
  if (length === undefined)
    return [
      {
        field: 'image',
        value: image,
        message: `has a ${algorithm} digest; runtimes verify ${Object.keys(DIGEST_HEX_LENGTHS).join(', ')} only`,
      },
    ];
  if (hex.length !== length || /[A-F]/.test(hex))
    return [
      {
        field: 'image',
        value: image,
        message: `has a ${algorithm} digest of ${hex.length} hexadecimal digits; ${algorithm} takes ${length}, lowercase`,
      },
    ];
  return [];
}

/**
 * The rules of an inference service: image, replicas, port and scaling. InferenceService throws them,
 * the definition reports them under `inference[i]`.
 */
export function inferenceProblems(spec: InferenceSpec): Problem[] {
  const d = WORKLOAD_DEFAULTS.inference;
  const out = new ProblemList();
  const minReplicas = spec.minReplicas ?? d.minReplicas;
  const maxReplicas = spec.maxReplicas ?? d.maxReplicas;
  const port = spec.port ?? d.port;
  const metric = spec.metric ?? d.scaling.metric;
  const target = spec.target ?? d.scaling.target;
  const activationThreshold = spec.activationThreshold ?? defaultActivationThreshold(metric);
  out.problems.push(...imageProblems(spec.image));
  if ([minReplicas, maxReplicas, port, target, activationThreshold].some((n) => Token.isUnresolved(n)))
    return out.problems;
  out.check(
    maxReplicas <= KUBERNETES.maxInt32,
    'maxReplicas',
    maxReplicas,
    `must be at most ${KUBERNETES.maxInt32} (a Kubernetes int32)`,
  );
  out.check(minReplicas >= 0, 'minReplicas', minReplicas, 'must be >= 0');
  out.check(maxReplicas >= 1, 'maxReplicas', maxReplicas, 'must be >= 1');
  out.check(maxReplicas >= minReplicas, 'maxReplicas', maxReplicas, `must be >= minReplicas (${minReplicas})`);
  out.check(port >= 1 && port <= 65535, 'port', port, 'must be a port between 1 and 65535');
  out.check(target > 0, 'scaling.target', target, 'must be > 0');
  if (metric === ScalingMetric.CPU || metric === ScalingMetric.GPU_UTILIZATION) {
    out.check(target <= 100, 'scaling.target', target, 'is a percentage and must be <= 100');
  }
  if (metric === ScalingMetric.CPU) {
    // HorizontalPodAutoscaler v2 MetricTarget.averageUtilization is an int32 (autoscaling/v2 API reference).
    out.check(
      Number.isInteger(target),
      'scaling.target',
      target,
      'must be a whole number with metric cpu (the HPA takes an integer utilisation)',
    );
  }
  if (metric !== ScalingMetric.CPU && target > 0) {
    // KEDA GetMetricTargetMili (pkg/scalers/scaler.go) sends int64(target * 1000) milli-units: below 0.001 that is 0, an invalid HPA target.
    out.check(
      Math.trunc(target * 1000) >= 1,
      'scaling.target',
      target,
      `must be >= ${KEDA_MIN_TARGET}: KEDA sends the HPA a target in milli-units, and this one rounds to 0, which the HPA refuses`,
    );
  }
  out.check(activationThreshold >= 0, 'scaling.activationThreshold', activationThreshold, 'must be >= 0');
  if (spec.query !== undefined && !Token.isUnresolved(spec.query)) {
    // KEDA's prometheus scaler requires a query; a blank one fails every poll and the service never scales.
    out.check(
      spec.query.trim().length > 0,
      'scaling.query',
      spec.query,
      'must be a PromQL query, not blank; leave query out to use the built-in one',
    );
  }
  if (metric === ScalingMetric.CPU && spec.query !== undefined) {
    out.add(
      'scaling.query',
      spec.query,
      'applies to KEDA metrics only (concurrency, queue-depth, gpu-utilization), not cpu',
    );
  }
  if (metric !== ScalingMetric.CPU && minReplicas === 0 && spec.query === undefined && !spec.exposed) {
    out.add(
      'minReplicas',
      minReplicas,
      `can be 0 only with a signal that exists while no replica runs: expose the service (its load balancer's interceptor holds the first request and wakes it), or give scaling.query on a gateway's or queue's metric; the built-in ${metric} query reads the service's own pods, so at zero replicas it has no data and the service would never wake. Otherwise use minReplicas >= 1`,
    );
  }
  if (metric === ScalingMetric.CPU && minReplicas === 0) {
    out.add(
      'minReplicas',
      minReplicas,
      'must be >= 1 with scaling metric cpu (a HorizontalPodAutoscaler cannot scale to zero); use concurrency or queue-depth to scale to zero',
    );
  }
  return out.problems;
}

/** What {@link trainingProblems} checks of a training job (its props, or a definition entry). */
export interface TrainingSpec {
  readonly image: string;
  readonly engine?: TrainingEngine;
  readonly nodes?: number;
  readonly command?: string[];
  readonly maxRunHours?: number;
  /** The prefix runs write under (`output.path`). */
  readonly output?: { readonly path: string };
}

/**
 * The rules of a training job: image, nodes, a command for Ray (the RayJob entrypoint), a positive run-time limit
 * and a normalized output path.
 */
export function trainingProblems(spec: TrainingSpec): Problem[] {
  const d = WORKLOAD_DEFAULTS.training;
  const out = new ProblemList();
  out.problems.push(...imageProblems(spec.image));
  const nodes = spec.nodes ?? d.nodes;
  if (!Token.isUnresolved(nodes)) out.check(nodes >= 1, 'nodes', nodes, 'must be >= 1');
  if ((spec.engine ?? d.engine) === TrainingEngine.RAY && (spec.command ?? []).length === 0) {
    out.add('command', spec.command, 'is required with engine ray: the RayJob entrypoint, e.g. [python, train.py]');
  }
  const hours = spec.maxRunHours;
  if (hours !== undefined && !Token.isUnresolved(hours))
    out.check(Number.isFinite(hours) && hours > 0, 'maxRunHours', hours, 'must be > 0 (hours one attempt may run)');
  if (spec.output && !Token.isUnresolved(spec.output.path))
    out.problems.push(...modelPathProblems('output.path', spec.output.path));
  return out.problems;
}

/** Longest workload or team name: room for the names built from it (`<workload>-<zone>` of a mount: 40 + 1 + 20 <= 63). */
export const WORKLOAD_NAME_MAX_LENGTH = 40;
/** A DNS-1035 label (a Service name) that a YAML definition never reads as a number. */
const WORKLOAD_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/**
 * The name of an inference service, a training job or a team (a namespace, a Service, a label value, part of
 * volume names): the one rule InferenceService, TrainingJob, TeamNamespace and the definition apply.
 */
export function workloadNameProblems(field: string, name: string): Problem[] {
  if (Token.isUnresolved(name)) return [];
  if (WORKLOAD_NAME.test(name) && name.length <= WORKLOAD_NAME_MAX_LENGTH) return [];
  return [
    {
      field,
      value: name,
      message: `must be 1..${WORKLOAD_NAME_MAX_LENGTH} characters: lowercase letters, digits and "-", starting with a letter and not ending with "-"`,
    },
  ];
}

/** A namespace name: a workload name ({@link workloadNameProblems}) the cluster and the platform do not own. */
export function namespaceProblems(field: string, name: string): Problem[] {
  const syntax = workloadNameProblems(field, name);
  return syntax.length > 0 ? syntax : reservedNamespaceProblems(field, name);
}

/**
 * Accelerators per pod (`placement.accelerators`; the definition's `gpus` and `gpusPerNode`): none or more for a
 * service, at least one for a training worker (a container's resource request cannot be negative).
 */
export function acceleratorsProblems(field: string, count: number, kind: 'inference' | 'training'): Problem[] {
  if (Token.isUnresolved(count)) return [];
  if (kind === 'inference') return count >= 0 ? [] : [{ field, value: count, message: 'must be >= 0' }];
  return count >= 1 ? [] : [{ field, value: count, message: 'must be >= 1 (training runs on accelerators)' }];
}

/** The startup probe's budget, in seconds: at least one probe period. */
export function startupBudgetProblems(field: string, seconds: number, value: unknown = seconds): Problem[] {
  if (Token.isUnresolved(seconds) || seconds >= 10) return [];
  return [{ field, value, message: 'must be at least 10 seconds (one startup probe period)' }];
}

/** A name that becomes a namespace the cluster or the platform owns (`default`, `kube-*`, operators' namespaces). */
export function reservedNamespaceProblems(field: string, name: string): Problem[] {
  const reason = reservedNamespaceReason(name);
  return reason ? [{ field, value: name, message: `becomes a namespace, and ${reason}; choose another name` }] : [];
}

/**
 * An accelerator quota of a namespace (a ResourceQuota `requests.<resource>`): the API server refuses a negative
 * quantity (k8s.io/kubernetes pkg/apis/core/validation: ValidateResourceQuantityValue, "must be greater than or
 * equal to 0").
 */
export function quotaProblems(field: string, quota: number): Problem[] {
  if (Token.isUnresolved(quota) || quota >= 0) return [];
  return [{ field, value: quota, message: 'must be >= 0' }];
}
