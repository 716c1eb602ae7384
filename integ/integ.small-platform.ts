// The integ app's entry point: npm run integ:deploy runs it with the CDK CLI (see ./small-platform.ts).
import { smallPlatformApp } from './small-platform';

smallPlatformApp().synth();
