import * as fs from 'node:fs';
import * as path from 'node:path';
import * as api from '../../lib';
import * as nag from '../../lib/nag';
import * as testing from '../../lib/testing';
import { InterfaceEndpoints, PlatformNetwork } from '../../lib';
import { findInstance } from '../../lib/catalog/accelerators';
import { RUNTIME_VERSIONS } from '../../lib/catalog/versions';
import { DEFAULTS } from '../../lib/definition/defaults';
import { CACHE_ENV, RESTRICTED_POD } from '../../lib/workloads/placement';

// Constants a consumer can reach (the package's entry points) are frozen all the way down: a change to one would
// otherwise reach every chart and stack built afterwards in the same process. Constants are the UPPER_CASE exports
// and UPPER_CASE statics of exported classes (enums are PascalCase and not covered here).
const CONSTANT = /^[A-Z][A-Z0-9_]*$/;

function isContainer(v: unknown): v is object {
  if (Array.isArray(v)) return true;
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Paths inside `v` (itself included) of plain objects and arrays that are not frozen. */
function unfrozen(v: unknown, at: string): string[] {
  if (!isContainer(v)) return [];
  return [
    ...(Object.isFrozen(v) ? [] : [at]),
    ...Object.entries(v).flatMap(([k, inner]) => unfrozen(inner, `${at}.${k}`)),
  ];
}

function constants(module: Record<string, unknown>, entry: string): [string, unknown][] {
  return Object.entries(module).flatMap(([name, value]): [string, unknown][] => {
    if (CONSTANT.test(name) && isContainer(value)) return [[`${entry}:${name}`, value]];
    if (typeof value !== 'function') return [];
    return Object.getOwnPropertyNames(value)
      .filter((k) => CONSTANT.test(k))
      .map((k) => [`${entry}:${name}.${k}`, (value as any)[k]] as [string, unknown])
      .filter(([, v]) => isContainer(v));
  });
}

const ALL = [...constants(api, 'index'), ...constants(nag, 'nag'), ...constants(testing, 'testing')];

test('the public entry points export object and array constants (the check below sees them)', () => {
  expect(ALL.map(([name]) => name)).toEqual(
    expect.arrayContaining([
      'index:PlatformNetwork.INTERFACE_ENDPOINTS',
      'index:PlatformNetwork.IMAGE_PULL_ENDPOINTS',
      'nag:CONTROL_PLANE_LOG_TYPES',
    ]),
  );
});

test.each(ALL)('%s is frozen all the way down', (name, value) => {
  expect(unfrozen(value, name)).toEqual([]);
});

// Not only what the entry points export: every module-level constant of the library, private ones included (a
// default object or a service limit is shared by every construct of the process, reached or not).
const LIB = path.join(__dirname, '..', '..', 'lib');
function libModules(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    // cdk8s imports are generated classes; the change report is loaded by the app only (and needs its devDependency).
    if (e.isDirectory()) return e.name === 'imports' || e.name === 'change-report' ? [] : libModules(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}
const EVERY_MODULE = libModules(LIB).flatMap((file) =>
  Object.entries(require(file) as Record<string, unknown>)
    .filter(([name, value]) => CONSTANT.test(name) && isContainer(value))
    .map(([name, value]): [string, unknown] => [`${path.relative(LIB, file)}:${name}`, value]),
);

test('every module-level object or array constant under lib/ is frozen all the way down', () => {
  expect(EVERY_MODULE.map(([name]) => name)).toEqual(
    expect.arrayContaining(['catalog/service-limits.ts:CLOUDFORMATION', 'workloads/defaults.ts:WORKLOAD_DEFAULTS']),
  );
  expect(EVERY_MODULE.flatMap(([name, value]) => unfrozen(value, name))).toEqual([]);
});

test("a consumer's change to a constant throws (strict mode) and leaves it as it was", () => {
  expect(() => {
    (RESTRICTED_POD as any).runAsUser = 0;
  }).toThrow(TypeError);
  expect(() => {
    (RESTRICTED_POD.seccompProfile as any).type = 'Unconfined';
  }).toThrow(TypeError);
  expect(() => {
    (CACHE_ENV as any[]).push({ name: 'HOME', value: '/' });
  }).toThrow(TypeError);
  expect(() => {
    (PlatformNetwork.INTERFACE_ENDPOINTS as any).S3 = PlatformNetwork.INTERFACE_ENDPOINTS.Sts;
  }).toThrow(TypeError);
  expect(() => {
    (PlatformNetwork.IMAGE_PULL_ENDPOINTS as any).length = 0;
  }).toThrow(TypeError);
  expect(() => {
    (DEFAULTS.nodePool as any).maxNodes = 1;
  }).toThrow(TypeError);
  expect(() => {
    (DEFAULTS.dataLake.zones as any).pop();
  }).toThrow(TypeError);
  expect(() => {
    (RUNTIME_VERSIONS.karpenterAmiAlias as any).al2023 = 'al2023@latest';
  }).toThrow(TypeError);
  expect(() => {
    (findInstance('p5.48xlarge') as any).acceleratorCount = 1;
  }).toThrow(TypeError);
  expect(RESTRICTED_POD.runAsUser).toBe(1000);
  expect(PlatformNetwork.endpointsFor(InterfaceEndpoints.ALL)).not.toContain('S3');
  expect(findInstance('p5.48xlarge')!.acceleratorCount).toBe(8);
});
