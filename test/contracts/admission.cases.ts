import { SHIMMED_FUNCTIONS, allCelRules, celEvaluate, celRuleOutcomes, celViolations } from '../support/cel-rules';
import { kubeRayJobPods } from '../support/operator-pods';
import {
  namespaceLevels,
  operatorPodProblems,
  podSecurityChecks,
  podSecurityViolations,
  podTemplatesOf,
  type PodSecurityLevel,
} from '../support/pod-security';

// Kubernetes admission as the cluster would do it, offline: Pod Security admission on every pod template the
// platform causes to exist (its own, and those KubeRay builds from its RayJobs), and the vendored CRDs' CEL
// validation rules on every custom resource.

// The platform's own manifests are held to these checks in test/examples/examples.test.ts, built once per
// example; here, the checks themselves (and the operator model) are shown to fail on what they must reject.

// ---------------------------------------------------------------------------------------------------------
// Pod Security: the checks can fail.

/** A pod spec that passes `restricted`. */
function restrictedPod(): any {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: [
      {
        name: 'init',
        image: 'busybox',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
    containers: [
      {
        name: 'app',
        image: 'app',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
    volumes: [
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'c' } },
      { name: 'tok', projected: { sources: [] } },
    ],
  };
}

function withPod(change: (spec: any) => void): any {
  const spec = restrictedPod();
  change(spec);
  return spec;
}

describe('Pod Security checks', () => {
  test('the compliant fixture passes every level; privileged checks nothing', () => {
    for (const level of ['privileged', 'baseline', 'restricted'] as PodSecurityLevel[])
      expect(podSecurityViolations(restrictedPod(), level)).toEqual([]);
    expect(podSecurityChecks('privileged')).toEqual([]);
    // restricted replaces the baseline capabilities, hostPath, seccomp and procMount checks with its own
    expect(podSecurityChecks('restricted')).toEqual([
      'appArmorProfile',
      'hostNamespaces',
      'hostPorts',
      'hostProbesAndHostLifecycle',
      'privileged',
      'seLinuxOptions',
      'sysctls',
      'windowsHostProcess',
      'allowPrivilegeEscalation',
      'capabilities_restricted',
      'procMount_restricted',
      'restrictedVolumes',
      'runAsNonRoot',
      'runAsUser',
      'seccompProfile_restricted',
    ]);
  });

  test('a privileged container is rejected at baseline and restricted', () => {
    const spec = withPod((s) => {
      s.containers[0].securityContext.privileged = true;
    });
    const expected = 'privileged (container "app" must not set securityContext.privileged=true)';
    expect(podSecurityViolations(spec, 'baseline')).toEqual([expected]);
    expect(podSecurityViolations(spec, 'restricted')).toEqual([expected]);
    expect(podSecurityViolations(spec, 'privileged')).toEqual([]);
  });

  test('a missing seccomp profile is rejected at restricted only', () => {
    const spec = withPod((s) => {
      delete s.securityContext.seccompProfile;
    });
    expect(podSecurityViolations(spec, 'baseline')).toEqual([]);
    expect(podSecurityViolations(spec, 'restricted')).toEqual([
      'seccompProfile (pod or containers "init", "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
    // set on every container instead of the pod: allowed
    expect(
      podSecurityViolations(
        withPod((s) => {
          delete s.securityContext.seccompProfile;
          for (const c of [...s.initContainers, ...s.containers])
            c.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' };
        }),
        'restricted',
      ),
    ).toEqual([]);
    expect(
      podSecurityViolations(
        withPod((s) => {
          s.securityContext.seccompProfile.type = 'Unconfined';
        }),
        'baseline',
      ),
    ).toEqual(['seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")']);
  });

  test('a missing runAsNonRoot is rejected at restricted, unless the pod is in a user namespace', () => {
    const spec = withPod((s) => {
      delete s.securityContext.runAsNonRoot;
    });
    expect(podSecurityViolations(spec, 'restricted')).toEqual([
      'runAsNonRoot != true (pod or containers "init", "app" must set securityContext.runAsNonRoot=true)',
    ]);
    expect(podSecurityViolations({ ...spec, hostUsers: false }, 'restricted')).toEqual([]);
    expect(
      podSecurityViolations(
        withPod((s) => {
          s.containers[0].securityContext.runAsNonRoot = false;
        }),
        'restricted',
      ),
    ).toEqual(['runAsNonRoot != true (container "app" must not set securityContext.runAsNonRoot=false)']);
  });

  test.each<[string, (s: any) => void, string, PodSecurityLevel]>([
    [
      'hostProcess',
      (s) => {
        s.securityContext.windowsOptions = { hostProcess: true };
      },
      'hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)',
      'baseline',
    ],
    [
      'host namespaces',
      (s) => {
        s.hostNetwork = true;
        s.hostPID = true;
      },
      'host namespaces (hostNetwork=true, hostPID=true)',
      'baseline',
    ],
    [
      'host port',
      (s) => {
        s.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }];
      },
      'hostPort (container "app" uses hostPort 8080)',
      'baseline',
    ],
    [
      'probe host',
      (s) => {
        s.containers[0].livenessProbe = { httpGet: { host: '10.0.0.1', port: 80 } };
      },
      'probe or lifecycle host (container "app" uses probe or lifecycle host "10.0.0.1")',
      'baseline',
    ],
    [
      'AppArmor unconfined',
      (s) => {
        s.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' };
      },
      'forbidden AppArmor profile (container "app" must not set AppArmor profile type to "Unconfined")',
      'baseline',
    ],
    [
      'SELinux type',
      (s) => {
        s.securityContext.seLinuxOptions = { type: 'spc_t' };
      },
      'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t")',
      'baseline',
    ],
    [
      '/proc mount',
      (s) => {
        s.containers[0].securityContext.procMount = 'Unmasked';
      },
      'procMount (container "app" must not set securityContext.procMount to "Unmasked")',
      'baseline',
    ],
    [
      'unsafe sysctl',
      (s) => {
        s.securityContext.sysctls = [{ name: 'kernel.msgmax', value: '1' }];
      },
      'forbidden sysctls (kernel.msgmax)',
      'baseline',
    ],
    [
      'allowPrivilegeEscalation unset',
      (s) => {
        delete s.initContainers[0].securityContext.allowPrivilegeEscalation;
      },
      'allowPrivilegeEscalation != false (container "init" must set securityContext.allowPrivilegeEscalation=false)',
      'restricted',
    ],
    [
      'capabilities not dropped',
      (s) => {
        s.containers[0].securityContext.capabilities = { add: ['NET_BIND_SERVICE'] };
      },
      'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"])',
      'restricted',
    ],
    [
      'capability other than NET_BIND_SERVICE',
      (s) => {
        s.containers[0].securityContext.capabilities.add = ['CHOWN'];
      },
      'unrestricted capabilities (container "app" must not include "CHOWN" in securityContext.capabilities.add)',
      'restricted',
    ],
    [
      'volume type',
      (s) => {
        s.volumes.push({ name: 'share', nfs: { server: 'nfs', path: '/' } });
      },
      'restricted volume types (volume "share" uses restricted volume type "nfs")',
      'restricted',
    ],
    [
      'runAsUser 0',
      (s) => {
        s.containers[0].securityContext.runAsUser = 0;
      },
      'runAsUser=0 (container "app" must not set runAsUser=0)',
      'restricted',
    ],
  ])('%s is rejected', (_name, change, expected, lowest) => {
    const spec = withPod(change);
    expect(podSecurityViolations(spec, 'restricted')).toEqual([expected]);
    expect(podSecurityViolations(spec, 'baseline')).toEqual(lowest === 'baseline' ? [expected] : []);
  });

  test('restricted replaces the baseline capabilities and hostPath checks with its own', () => {
    const caps = withPod((s) => {
      s.containers[0].securityContext.capabilities.add = ['SYS_ADMIN', 'CHOWN'];
    });
    expect(podSecurityViolations(caps, 'baseline')).toEqual([
      'non-default capabilities (container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
    ]);
    expect(podSecurityViolations(caps, 'restricted')).toEqual([
      'unrestricted capabilities (container "app" must not include "CHOWN", "SYS_ADMIN" in securityContext.capabilities.add)',
    ]);
    const hostPath = withPod((s) => {
      s.volumes.push({ name: 'host', hostPath: { path: '/' } });
    });
    expect(podSecurityViolations(hostPath, 'baseline')).toEqual(['hostPath volumes (volume "host")']);
    expect(podSecurityViolations(hostPath, 'restricted')).toEqual([
      'restricted volume types (volume "host" uses restricted volume type "hostPath")',
    ]);
  });

  test('init and ephemeral containers are checked too', () => {
    const spec = withPod((s) => {
      s.initContainers[0].securityContext.privileged = true;
      s.ephemeralContainers = [
        {
          name: 'debug',
          image: 'busybox',
          securityContext: { privileged: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ];
    });
    expect(podSecurityViolations(spec, 'baseline')).toEqual([
      'privileged (containers "init", "debug" must not set securityContext.privileged=true)',
    ]);
  });

  test('pod templates are found in Deployments, Jobs, JobSets and RayJobs; namespace levels come from the Namespace labels', () => {
    const t = { spec: restrictedPod() };
    expect(
      podTemplatesOf({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: t } }).map((p) => p.path),
    ).toEqual(['spec.template']);
    expect(podTemplatesOf({ apiVersion: 'batch/v1', kind: 'Job', spec: { template: t } }).map((p) => p.path)).toEqual([
      'spec.template',
    ]);
    expect(
      podTemplatesOf({
        apiVersion: 'jobset.x-k8s.io/v1alpha2',
        kind: 'JobSet',
        spec: { replicatedJobs: [{ template: { spec: { template: t } } }] },
      }).map((p) => p.path),
    ).toEqual(['spec.replicatedJobs[0].template.spec.template']);
    expect(
      podTemplatesOf({
        apiVersion: 'ray.io/v1',
        kind: 'RayJob',
        spec: {
          rayClusterSpec: { headGroupSpec: { template: t }, workerGroupSpecs: [{ template: t }] },
          submitterPodTemplate: t,
        },
      }).map((p) => p.path),
    ).toEqual([
      'spec.rayClusterSpec.headGroupSpec.template',
      'spec.rayClusterSpec.workerGroupSpecs[0].template',
      'spec.submitterPodTemplate',
    ]);
    const levelOf = namespaceLevels([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'a', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      },
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'b', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } },
      },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c' } },
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'd', labels: { 'pod-security.kubernetes.io/enforce': 'strict' } },
      },
    ]);
    expect(['a', 'b', 'c', 'd', 'elsewhere'].map(levelOf)).toEqual([
      'restricted',
      'baseline',
      'privileged',
      'restricted',
      'privileged',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The KubeRay v1.7.0 model (operator-pods.ts).

function compliantRayJob(change: (j: any) => void = () => undefined): any {
  const rayContainer = (name: string) => ({
    name,
    image: 'rayproject/ray:2.49.0',
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
  });
  const job = {
    apiVersion: 'ray.io/v1',
    kind: 'RayJob',
    metadata: { name: 'train', namespace: 'team' },
    spec: {
      entrypoint: 'python train.py',
      rayClusterSpec: {
        headGroupSpec: { rayStartParams: {}, template: { spec: { containers: [rayContainer('ray-head')] } } },
        workerGroupSpecs: [
          { groupName: 'gpu', rayStartParams: {}, template: { spec: { containers: [rayContainer('ray-worker')] } } },
        ],
      },
      submitterPodTemplate: { spec: { restartPolicy: 'Never', containers: [rayContainer('submitter')] } },
    },
  };
  change(job);
  return job;
}

describe('KubeRay v1.7.0 operator model', () => {
  test('a compliant RayJob yields head, worker (with wait-gcs-ready) and submitter pods that pass restricted', () => {
    const pods = kubeRayJobPods(compliantRayJob());
    expect(pods.map((p) => p.path)).toEqual([
      'RayCluster head pod',
      'RayCluster worker pod (group gpu)',
      'submitter Job pod',
    ]);
    const worker = pods[1].spec;
    expect(worker.initContainers.map((c: any) => c.name)).toEqual(['wait-gcs-ready']);
    expect(worker.initContainers[0].securityContext).toEqual(worker.containers[0].securityContext);
    expect(worker.volumes).toEqual([{ name: 'shared-mem', emptyDir: { medium: 'Memory' } }]);
    expect(pods.flatMap((p) => podSecurityViolations(p.spec, 'restricted'))).toEqual([]);
  });

  test('a RayJob without submitterPodTemplate gets the default submitter pod, which restricted rejects', () => {
    const job = compliantRayJob((j) => {
      delete j.spec.submitterPodTemplate;
    });
    expect(podTemplatesOf(job).flatMap((t) => podSecurityViolations(t.spec, 'restricted'))).toEqual([]);
    const submitter = kubeRayJobPods(job).find((p) => p.path === 'submitter Job pod')!;
    expect(submitter.source).toMatch(/default template/);
    expect(submitter.spec).toEqual({
      restartPolicy: 'Never',
      containers: [
        {
          name: 'ray-job-submitter',
          image: 'rayproject/ray:2.49.0',
          resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '200Mi' } },
        },
      ],
    });
    const manifests = [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'team', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      },
      job,
    ];
    expect(operatorPodProblems(manifests)).toEqual(
      [
        'allowPrivilegeEscalation != false (container "ray-job-submitter" must set securityContext.allowPrivilegeEscalation=false)',
        'unrestricted capabilities (container "ray-job-submitter" must set securityContext.capabilities.drop=["ALL"])',
        'runAsNonRoot != true (pod or container "ray-job-submitter" must set securityContext.runAsNonRoot=true)',
        'seccompProfile (pod or container "ray-job-submitter" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
      ].map(
        (v) =>
          `RayJob/team/train → submitter Job pod (KubeRay v1.7.0 common/job.go GetSubmitterTemplate (default template)) [restricted]: ${v}`,
      ),
    );
    // baseline has nothing against it
    expect(podSecurityViolations(submitter.spec, 'baseline')).toEqual([]);
  });

  test('HTTPMode creates no submitter pod; SidecarMode puts the default submitter container in the head pod', () => {
    expect(
      kubeRayJobPods(
        compliantRayJob((j) => {
          j.spec.submissionMode = 'HTTPMode';
        }),
      ).map((p) => p.path),
    ).toEqual(['RayCluster head pod', 'RayCluster worker pod (group gpu)']);
    const head = kubeRayJobPods(
      compliantRayJob((j) => {
        j.spec.submissionMode = 'SidecarMode';
      }),
    )[0];
    expect(head.spec.containers.map((c: any) => c.name)).toEqual(['ray-head', 'ray-job-submitter']);
    expect(podSecurityViolations(head.spec, 'restricted')).toContain(
      'allowPrivilegeEscalation != false (container "ray-job-submitter" must set securityContext.allowPrivilegeEscalation=false)',
    );
  });

  test("wait-gcs-ready copies only the first container's securityContext; in-tree autoscaling adds an unhardened autoscaler", () => {
    const job = compliantRayJob((j) => {
      const w = j.spec.rayClusterSpec.workerGroupSpecs[0].template.spec;
      w.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
      w.containers[0].securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
      j.spec.rayClusterSpec.enableInTreeAutoscaling = true;
    });
    const [head, worker] = kubeRayJobPods(job);
    expect(podSecurityViolations(worker.spec, 'restricted')).toEqual([]);
    expect(head.spec.containers.map((c: any) => c.name)).toEqual(['ray-head', 'autoscaler']);
    expect(podSecurityViolations(head.spec, 'restricted')).toEqual([
      'allowPrivilegeEscalation != false (container "autoscaler" must set securityContext.allowPrivilegeEscalation=false)',
      'unrestricted capabilities (container "autoscaler" must set securityContext.capabilities.drop=["ALL"])',
      'runAsNonRoot != true (pod or container "autoscaler" must set securityContext.runAsNonRoot=true)',
      'seccompProfile (pod or container "autoscaler" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
    const hardened = compliantRayJob((j) => {
      j.spec.rayClusterSpec.enableInTreeAutoscaling = true;
      j.spec.rayClusterSpec.autoscalerOptions = {
        securityContext: j.spec.rayClusterSpec.headGroupSpec.template.spec.containers[0].securityContext,
      };
    });
    expect(podSecurityViolations(kubeRayJobPods(hardened)[0].spec, 'restricted')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// CEL rules: each CRD kind the platform emits has a rule that can fail.

const NODE_POOL = {
  apiVersion: 'karpenter.sh/v1',
  kind: 'NodePool',
  metadata: { name: 'gpu' },
  spec: {
    limits: { cpu: 80, 'nvidia.com/gpu': 8 },
    template: {
      metadata: { labels: { 'ai-platform/pool': 'gpu' } },
      spec: {
        nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' },
        requirements: [
          { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['g6.xlarge'] },
          { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
        ],
      },
    },
  },
};
const NODE_CLASS = {
  apiVersion: 'karpenter.k8s.aws/v1',
  kind: 'EC2NodeClass',
  metadata: { name: 'gpu' },
  spec: {
    amiSelectorTerms: [{ alias: 'al2023@latest' }],
    role: 'KarpenterNodeRole',
    securityGroupSelectorTerms: [{ tags: { 'aws:eks:cluster-name': 'c' } }],
    subnetSelectorTerms: [{ tags: { 'karpenter.sh/discovery': 'c' } }],
    blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: '100Gi', volumeType: 'gp3' } }],
  },
};
const SCALED_OBJECT = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'llm', namespace: 'llm' },
  spec: {
    minReplicaCount: 0,
    maxReplicaCount: 4,
    scaleTargetRef: { name: 'llm' },
    triggers: [{ type: 'prometheus', metadata: {} }],
  },
};
const TRIGGER_AUTH = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'TriggerAuthentication',
  metadata: { name: 'llm', namespace: 'llm' },
  spec: { podIdentity: { provider: 'aws' } },
};
const JOB_SET = {
  apiVersion: 'jobset.x-k8s.io/v1alpha2',
  kind: 'JobSet',
  metadata: { name: 'pretrain', namespace: 'pretrain' },
  spec: {
    replicatedJobs: [
      {
        name: 'workers',
        replicas: 1,
        template: { spec: { template: { spec: { containers: [{ name: 'trainer', image: 'x' }] } } } },
      },
      {
        name: 'eval',
        replicas: 1,
        template: { spec: { template: { spec: { containers: [{ name: 'eval', image: 'x' }] } } } },
      },
    ],
  },
};
const RAY_JOB = {
  ...compliantRayJob(),
  spec: {
    ...compliantRayJob().spec,
    deletionStrategy: { onSuccess: { policy: 'DeleteCluster' }, onFailure: { policy: 'DeleteNone' } },
  },
};

const broken = <T>(base: T, change: (m: any) => void): any => {
  const copy = JSON.parse(JSON.stringify(base));
  change(copy);
  return copy;
};

describe('CEL rules of the vendored CRDs', () => {
  test('the fixtures pass, with rules evaluated on each (but TriggerAuthentication, whose CRD has none)', () => {
    for (const m of [NODE_POOL, NODE_CLASS, SCALED_OBJECT, TRIGGER_AUTH, JOB_SET, RAY_JOB])
      expect(celViolations(m)).toEqual([]);
    for (const m of [NODE_POOL, NODE_CLASS, SCALED_OBJECT, JOB_SET, RAY_JOB]) {
      expect(celRuleOutcomes(m).filter((o) => o.outcome === 'passed').length).toBeGreaterThan(0);
    }
    // keda v2.20.2 ships no x-kubernetes-validations for TriggerAuthentication: nothing to break. If a CRD
    // update adds some, this fails and a broken-manifest case belongs below.
    expect(celRuleOutcomes(TRIGGER_AUTH)).toEqual([]);
  });

  test.each<[string, any, string]>([
    [
      'NodePool label in the karpenter.sh domain',
      broken(NODE_POOL, (m) => {
        m.spec.template.metadata.labels['karpenter.sh/team'] = 'x';
      }),
      'NodePool/gpu spec.template.metadata.labels: Invalid value: "object": label domain "karpenter.sh" is restricted',
    ],
    [
      'NodePool label kubernetes.io/hostname',
      broken(NODE_POOL, (m) => {
        m.spec.template.metadata.labels['kubernetes.io/hostname'] = 'x';
      }),
      'NodePool/gpu spec.template.metadata.labels: Invalid value: "object": label "kubernetes.io/hostname" is restricted',
    ],
    [
      'NodePool requirement key in the karpenter.k8s.aws domain',
      broken(NODE_POOL, (m) => {
        m.spec.template.spec.requirements[0].key = 'karpenter.k8s.aws/made-up';
      }),
      'NodePool/gpu spec.template.spec.requirements[0].key: Invalid value: "string": label domain "karpenter.k8s.aws" is restricted',
    ],
    [
      'NodePool requirement In without values',
      broken(NODE_POOL, (m) => {
        m.spec.template.spec.requirements[0].values = [];
      }),
      'NodePool/gpu spec.template.spec.requirements: Invalid value: "array": requirements with operator \'In\' must have a value defined',
    ],
    [
      'NodePool Gt with a non-integer value (evaluation error)',
      broken(NODE_POOL, (m) => {
        m.spec.template.spec.requirements.push({
          key: 'karpenter.k8s.aws/instance-gpu-count',
          operator: 'Gt',
          values: ['many'],
        });
      }),
      "NodePool/gpu spec.template.spec.requirements: Invalid value: \"array\": requirements operator 'Gt', 'Lt', 'Gte', or 'Lte' must have a single positive integer value (evaluation error:",
    ],
    [
      'EC2NodeClass alias with another term',
      broken(NODE_CLASS, (m) => {
        m.spec.amiSelectorTerms.push({ id: 'ami-123' });
      }),
      'EC2NodeClass/gpu spec.amiSelectorTerms: Invalid value: "array": \'alias\' is mutually exclusive, cannot be set with a combination of other amiSelectorTerms',
    ],
    [
      'EC2NodeClass unsupported alias family',
      broken(NODE_CLASS, (m) => {
        m.spec.amiSelectorTerms[0].alias = 'ubuntu@latest';
      }),
      'EC2NodeClass/gpu spec.amiSelectorTerms[0].alias: Invalid value: "string": family is not supported',
    ],
    [
      'EC2NodeClass amiFamily not matching the alias',
      broken(NODE_CLASS, (m) => {
        m.spec.amiFamily = 'Bottlerocket';
      }),
      "EC2NodeClass/gpu spec: Invalid value: \"object\": if set, amiFamily must be 'AL2023' or 'Custom' when using an AL2023 alias",
    ],
    [
      'EC2NodeClass role and instanceProfile',
      broken(NODE_CLASS, (m) => {
        m.spec.instanceProfile = 'p';
      }),
      "EC2NodeClass/gpu spec: Invalid value: \"object\": must specify exactly one of ['role', 'instanceProfile']",
    ],
    [
      'EC2NodeClass restricted tag',
      broken(NODE_CLASS, (m) => {
        m.spec.tags = { 'karpenter.sh/nodepool': 'x' };
      }),
      'EC2NodeClass/gpu spec.tags: Invalid value: "object": tag contains a restricted tag matching karpenter.sh/nodepool',
    ],
    [
      'ScaledObject minReplicaCount above maxReplicaCount',
      broken(SCALED_OBJECT, (m) => {
        m.spec.minReplicaCount = 5;
      }),
      'ScaledObject/llm/llm spec: Invalid value: "object": minReplicaCount must be less than or equal to maxReplicaCount',
    ],
    [
      'ScaledObject minReplicaCount above the default maxReplicaCount (100)',
      broken(SCALED_OBJECT, (m) => {
        m.spec.minReplicaCount = 101;
        delete m.spec.maxReplicaCount;
      }),
      'ScaledObject/llm/llm spec: Invalid value: "object": minReplicaCount must be less than or equal to maxReplicaCount',
    ],
    [
      'JobSet startupPolicy InOrder with dependsOn',
      broken(JOB_SET, (m) => {
        m.spec.startupPolicy = { startupPolicyOrder: 'InOrder' };
        m.spec.replicatedJobs[1].dependsOn = [{ name: 'workers', status: 'Ready' }];
      }),
      'JobSet/pretrain/pretrain spec: Invalid value: "object": StartupPolicy and DependsOn APIs are mutually exclusive',
    ],
    [
      'JobSet volumeClaimPolicies template with a namespace',
      broken(JOB_SET, (m) => {
        m.spec.volumeClaimPolicies = [{ templates: [{ metadata: { name: 'data', namespace: 'other' }, spec: {} }] }];
      }),
      'JobSet/pretrain/pretrain spec.volumeClaimPolicies[0]: Invalid value: "object": namespace cannot be set for VolumeClaimPolicies templates',
    ],
    [
      'RayJob deletionStrategy with onSuccess only',
      broken(RAY_JOB, (m) => {
        delete m.spec.deletionStrategy.onFailure;
      }),
      'RayJob/team/train spec.deletionStrategy: Invalid value: "object": deletionStrategy requires either BOTH onSuccess and onFailure',
    ],
    [
      'RayJob managedBy another controller',
      broken(RAY_JOB, (m) => {
        m.spec.managedBy = 'example.com/other';
      }),
      "RayJob/team/train spec.managedBy: Invalid value: \"string\": the managedBy field value must be either 'ray.io/kuberay-operator' or 'kueue.x-k8s.io/multikueue'",
    ],
  ])('%s is rejected', (_name, manifest, expected) => {
    expect(celViolations(manifest)).toEqual([expect.stringContaining(expected)]);
  });

  test('transition rules (oldSelf) are skipped and reported as skipped', () => {
    const skipped = celRuleOutcomes(NODE_POOL).filter((o) => o.outcome === 'skipped (transition rule)');
    expect(skipped.map((o) => `${o.path}: ${o.rule}`)).toEqual([
      'spec: has(self.replicas) == has(oldSelf.replicas)',
      'spec.template.spec.nodeClassRef: self.group == oldSelf.group',
      'spec.template.spec.nodeClassRef: self.kind == oldSelf.kind',
    ]);
  });

  test('schema defaults are applied before the rules run, as on a create request', () => {
    // NodePool spec.disruption defaults budgets to [{nodes: '10%'}]: the budgets rule runs without a disruption block
    expect(celRuleOutcomes(NODE_POOL).some((o) => o.path === 'spec.disruption.budgets' && o.outcome === 'passed')).toBe(
      true,
    );
  });
});

// Every function the rules in crds/ call: standard CEL, the strings extension, or a shim.
describe('CEL shims', () => {
  const SHIM_CASES: Record<keyof typeof SHIMMED_FUNCTIONS, [string, Record<string, unknown>, unknown][]> = {
    find: [
      ['"karpenter.sh/capacity-type".find("^([^/]+)")', {}, 'karpenter.sh'],
      ['"team".find("^([^/]+)")', {}, 'team'],
      ['"/leading".find("^([^/]+)")', {}, ''],
      ['"abc 123 456".find("[0-9]+")', {}, '123'],
      ['self.find("^([^/]+)").endsWith("karpenter.sh")', { self: 'sub.karpenter.sh/x' }, true],
    ],
  };

  test.each(
    Object.entries(SHIM_CASES).flatMap(([fn, cases]) => cases.map(([expr, b, want]) => [fn, expr, b, want] as const)),
  )('%s: %s', (_fn, expr, bindings, want) => {
    expect(celEvaluate(expr, bindings)).toEqual(want);
  });

  test('every shimmed function has cases, and every function the CRD rules call is provided', () => {
    expect(Object.keys(SHIM_CASES).sort()).toEqual(Object.keys(SHIMMED_FUNCTIONS).sort());
    for (const cases of Object.values(SHIM_CASES)) expect(cases.length).toBeGreaterThan(0);

    const rules = allCelRules().map((r) => r.rule);
    expect(rules.length).toBeGreaterThan(50);
    const called = new Set(
      rules.flatMap((r) => [...r.replace(/'[^']*'|"[^"]*"/g, '""').matchAll(/([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1])),
    );
    // each with a sample call: an unbound function would throw "unbound function"
    const samples: Record<string, string> = {
      has: 'has(self.a)',
      size: 'size(self.l) == 1 && self.l.size() == 1',
      int: 'int("3") == 3',
      all: 'self.l.all(x, x == 1)',
      exists: 'self.l.exists(x, x == 1)',
      filter: 'self.l.filter(x, x == 1).size() == 1',
      matches: '"ab".matches("^a")',
      startsWith: '"ab".startsWith("a")',
      endsWith: '"ab".endsWith("b")',
      split: '"a@b".split("@")[1] == "b"',
      find: '"a/b".find("^[^/]+") == "a"',
    };
    expect([...called].sort()).toEqual(Object.keys(samples).sort());
    for (const expr of Object.values(samples)) expect(celEvaluate(expr, { self: { a: 1n, l: [1n] } })).toBe(true);
  });
});
