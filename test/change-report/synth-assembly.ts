import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { AiPlatform, type AiPlatformDefinition } from '../../lib';
import { readAssembly, type AssemblyTemplates } from '../../lib/change-report/change-report';
import cdkJson from '../../cdk.json';

/** A platform synthesized into `<dir>/<name>` and read back as the change report reads an assembly. */
export function synthAssembly(dir: string, name: string, definition: AiPlatformDefinition): AssemblyTemplates {
  const outdir = join(dir, name);
  // As the other suites' test app: no built-in CloudFormation validation (seconds to load its spec) and no stack traces.
  const app = new App({
    outdir,
    stackTraces: false,
    builtinCloudFormationValidation: false,
    context: { ...cdkJson.context, 'aws:cdk:disable-asset-staging': true },
  });
  new AiPlatform(app, 'AiPlatform', { definition });
  app.synth();
  return readAssembly(outdir, definition.name);
}
