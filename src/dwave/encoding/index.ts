export * from './qp';
export * from './dimodbqm';
export * from './bq';
