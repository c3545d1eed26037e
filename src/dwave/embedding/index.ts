export * from './clique';
export * from './chain-strength';
export * from './embed';
