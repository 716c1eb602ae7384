/** Access a workload has to one data-lake zone. */
export enum DataAccessLevel {
  READ = 'read',
  READ_WRITE = 'read-write',
}
