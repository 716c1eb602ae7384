// The consumer app: the reference platform from a definition, the own-stack composition and the standalone
// constructs, with cdk-nag's AwsSolutions and the library's AiPlatformChecks on everything.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AiPlatform } from 'cdk-ai-platform';
import { AiPlatformChecks } from 'cdk-ai-platform/nag';
import { referencePlatform } from './examples/reference-platform';
import { buildOwnStackApp } from './examples/own-stack';
import { buildStandaloneApp } from './examples/standalone-constructs';

const app = new App();
new AiPlatform(app, 'AiPlatform', { definition: referencePlatform });
buildOwnStackApp(app);
buildStandaloneApp(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new AiPlatformChecks(app));
app.synth();
