import type { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { NagMessageLevel, NagPack, type NagPackProps } from 'cdk-nag';
import { eksClusterControlPlaneLogging } from './rules/eks-cluster-control-plane-logging';
import { eksClusterNoPublicEndpoint } from './rules/eks-cluster-public-endpoint';

/**
 * Checks cdk-nag 3 does not run on aws-eks-v2 clusters: run it beside `AwsSolutionsChecks`.
 *
 * ```ts
 * Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new AiPlatformChecks(app));
 * ```
 * Rule IDs: `AiPlatform-EKSV2PublicEndpoint`, `AiPlatform-EKSV2ControlPlaneLogs`.
 */
export class AiPlatformChecks extends NagPack {
  public readonly name = 'AiPlatform';

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'AiPlatform';
  }

  protected checkResource(node: CfnResource): void {
    this.applyRule({
      ruleSuffixOverride: 'EKSV2PublicEndpoint',
      info: 'The EKS cluster API endpoint is publicly accessible.',
      explanation:
        'A private endpoint keeps the Kubernetes API off the internet; where a public one is needed, restrict it to known CIDRs.',
      level: NagMessageLevel.ERROR,
      rule: eksClusterNoPublicEndpoint,
      node,
    });
    this.applyRule({
      ruleSuffixOverride: 'EKSV2ControlPlaneLogs',
      info: 'The EKS cluster does not send every control-plane log type to CloudWatch Logs.',
      explanation:
        'api, audit, authenticator, controllerManager and scheduler logs are needed to investigate access and scheduling.',
      level: NagMessageLevel.ERROR,
      rule: eksClusterControlPlaneLogging,
      node,
    });
  }
}
