import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { DataLakeProps } from '../data-lake/data-lake';
import type { ResolvedDefinition } from '../definition/resolved';
import { DataRemovalPolicy } from '../definition/types';

/**
 * `dataLake` onto DataLake. Built from `name` and `dataLake` only, so nothing else in the definition can
 * change the data stack.
 */
export function dataLakeProps(def: ResolvedDefinition): DataLakeProps {
  return {
    namePrefix: def.name,
    zones: def.dataLake.zones,
    archiveAfter: Duration.days(def.dataLake.archiveAfterDays),
    noncurrentVersionExpiration: Duration.days(def.dataLake.noncurrentVersionExpirationDays),
    removalPolicy:
      def.dataLake.removalPolicy === DataRemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    lakeFormation: def.dataLake.lakeFormation,
    exportForOtherStacks: true,
  };
}
