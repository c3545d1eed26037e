export * from './clique';
export * from './chain-strength';
export * from './embed';
export * from './minor';
export * from './minor-native';
export * from './validate';
