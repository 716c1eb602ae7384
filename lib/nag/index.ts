// cdk-nag integration (needs the optional peer dependency cdk-nag).
export * from './ai-platform-checks';
export * from './rules/eks-cluster-control-plane-logging';
export * from './rules/eks-cluster-public-endpoint';
