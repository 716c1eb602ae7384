#!/usr/bin/env node
// The CDK app command (cdk.json): brings .build/ up to date (bin/transpile.js) and runs the app from it, in
// one Node process, so `cdk synth` pays for one process start rather than two.
require('./transpile.js');
require('../.build/bin/app.js');
